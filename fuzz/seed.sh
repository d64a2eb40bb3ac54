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
