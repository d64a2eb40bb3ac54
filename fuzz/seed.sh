#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs from the repository (run
# from fuzz/). The corpus itself is not committed.
set -e
root=..
mkdir -p corpus/parse corpus/fmt corpus/check corpus/output corpus/members corpus/eval
for f in $root/policies/*.rbac $root/examples/*.rbac $(find $root/tests/ui -name '*.rbac'); do
    name=$(echo "$f" | sed 's|^[./]*||' | tr '/' '_')
    cp "$f" "corpus/parse/$name"
    cp "$f" "corpus/fmt/$name"
    cp "$f" "corpus/check/$name"
    # output: the first line is the file name.
    { printf '%s\n' "$name"; cat "$f"; } > "corpus/output/$name"
done
for f in $root/examples/*/members.yaml $(find $root/tests -name '*.yaml' -path '*members*'); do
    name=$(echo "$f" | sed 's|^[./]*||' | tr '/' '_')
    cp "$f" "corpus/members/$name"
done
for p in airbyte astro neosync tooljet; do
    if [ -f "$root/examples/$p/members.yaml" ]; then
        {
            cat "$root/policies/$p.rbac"
            printf '\n%%%%\n'
            cat "$root/examples/$p/members.yaml"
            printf '\n%%%%\n'
        } > "corpus/eval/$p"
    fi
done
mkdir -p corpus/test_file corpus/batch corpus/walk
for f in $root/tests/presets/*.yaml $root/tests/corpus/tests/*.yaml; do
    name=$(echo "$f" | sed 's|^[./]*||' | tr '/' '_')
    cp "$f" "corpus/test_file/$name"
done
# A test file against the target's own policy and data.
printf 'policy: policy.rbac\nmembers: members.yaml\ncases:\n  - {name: a, user: ana, permission: org.write, resource: org:a, expect: allow}\n---\npreset: tooljet\nmembers: {users: [ana]}\ncases:\n  - {name: b, user: ana, permission: folder.read, resource: "org:x", expect: deny}\n' > corpus/test_file/own
for f in $root/tests/corpus/queries/*; do
    cp "$f" "corpus/batch/$(basename "$f")"
done
printf 'ana org.write org:a\n{"user":"bob","permission":"org.read","resource":"org:a"}\n# c\n\nbob org.write org:a\n{"user":"bob","user":"ana","permission":"org.read","resource":"org:a"}\n' > corpus/batch/own
# walk: (op, argument) pairs: a directory, files, a link to the root, a
# link to the directory, a socket.
printf '\000\000\021\001\001\000\002\000\002\001\003\001' > corpus/walk/loops
