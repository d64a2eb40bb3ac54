#!/bin/sh
# rbacc's pull-request gate, for any policy repository (docs/ci.md).
#
#   rbacc-pr.sh BASE
#
# BASE is the git revision the pull request merges into (origin/main).
# Runs, from the repository root:
#   1. rbacc check on the policy directory (annotations on stdout);
#   2. rbacc test on the test directory, when it holds test files;
#   3. rbacc diff of every policy file changed since BASE against its BASE
#      version, kept under $RBACC_OUT/base/<same path> (a stable name, shown
#      in the comment), with --fail-on escalation; annotations on stdout.
# Writes $RBACC_OUT/comment.md (the pull-request comment) and exits
#   0  the gate passes;
#   1  only escalations (the comment says which; accept them with a label);
#   2  check or test failed, or a diff could not be made.
#
# Environment: RBACC (the binary, default `rbacc`), RBACC_POLICIES (default
# `policies`), RBACC_TESTS (default: RBACC_POLICIES; `-` skips), RBACC_MEMBERS
# (membership data for `diff --members`, optional), RBACC_OUT (default `.rbacc`).
set -u

base=${1:?usage: rbacc-pr.sh BASE}
rbacc=${RBACC:-rbacc}
policies=${RBACC_POLICIES:-policies}
tests=${RBACC_TESTS:-$policies}
members=${RBACC_MEMBERS:-}
out=${RBACC_OUT:-.rbacc}

rm -rf "$out"
mkdir -p "$out/base"
comment="$out/comment.md"
failed=0
escalated=0

{
  echo "## rbacc"
  echo
} > "$comment"

if "$rbacc" check --format github "$policies"; then
  echo "- \`rbacc check $policies\`: ok" >> "$comment"
else
  failed=1
  echo "- \`rbacc check $policies\`: **failed** (see the annotations)" >> "$comment"
fi

if [ "$tests" != "-" ] && grep -rlqs --include='*.yaml' --include='*.yml' '^cases:' "$tests"; then
  if "$rbacc" test "$tests" > "$out/test.txt" 2>&1; then
    echo "- \`rbacc test $tests\`: ok" >> "$comment"
  else
    failed=1
    echo "- \`rbacc test $tests\`: **failed**" >> "$comment"
    { echo; echo '```'; tail -n 40 "$out/test.txt"; echo '```'; } >> "$comment"
  fi
fi

changed=$(git diff --name-only --diff-filter=AMR "$base"...HEAD -- "$policies" | grep '\.rbac$' || true)
if [ -z "$changed" ]; then
  echo "- no policy file changed since \`$base\`" >> "$comment"
fi
for new in $changed; do
  old="$out/base/$new"
  mkdir -p "$(dirname "$old")"
  # A new file is diffed against an empty one.
  git show "$base:$new" > "$old" 2>/dev/null || : > "$old"
  echo >> "$comment"
  set -- diff "$old" "$new" --fail-on escalation
  if [ -n "$members" ]; then
    set -- "$@" --members "$members"
  fi
  "$rbacc" "$@" --format markdown >> "$comment" 2> "$out/diff.err"
  status=$?
  case $status in
    0) ;;
    1) escalated=1 ;;
    *) failed=1
       { echo "\`rbacc diff\` of \`$new\` failed:"; echo '```'; cat "$out/diff.err"; echo '```'; } >> "$comment" ;;
  esac
  "$rbacc" "$@" --format github 2>/dev/null || true
done

if [ "$failed" -ne 0 ]; then
  exit 2
fi
if [ "$escalated" -ne 0 ]; then
  { echo; echo "**Access widens.** Review the changes above; a maintainer accepts them with the pull request's label."; } >> "$comment"
  exit 1
fi
exit 0
