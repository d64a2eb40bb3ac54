#!/bin/sh
# Runs every cargo-fuzz target for SECONDS seconds each, one after the
# other, and prints per target: executions, coverage (libFuzzer's `cov`,
# edges reached), corpus size, and findings (new files under
# artifacts/TARGET: crashes, leaks, time-outs, out-of-memory). Exit 1 when
# any target has a finding. Run from anywhere:
#
#   fuzz/run-all.sh 60        # the smoke run: each target builds and runs
#   fuzz/run-all.sh 1800      # the 30-minute run
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz
# --locked`). The corpus is seeded from the repository on the first run
# (seed.sh) and kept in fuzz/corpus/ (not committed).
set -u
secs=${1:?usage: fuzz/run-all.sh SECONDS}
cd "$(dirname "$0")" || exit 2
[ -d corpus ] || ./seed.sh
cargo +nightly fuzz build || exit 2
logs=$(mktemp -d)
status=0
summary="$logs/summary"
printf '%-10s %12s %9s %7s %9s\n' target runs coverage corpus findings >"$summary"
for t in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(ls "artifacts/$t" | wc -l)
    cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$logs/$t.log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' | tail -n 1)
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$logs/$t.log" | tr -d '#' | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' | tail -n 1)
    corp=$(ls "corpus/$t" | wc -l)
    found=$(( $(ls "artifacts/$t" | wc -l) - before ))
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        echo "$t: exit $rc, $found new artifact(s); log: $logs/$t.log" >&2
    fi
    printf '%-10s %12s %9s %7s %9s\n' "$t" "${runs:-?}" "${cov:-?}" "$corp" "$found" >>"$summary"
done
cat "$summary"
exit "$status"
