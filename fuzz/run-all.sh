#!/bin/sh
# Runs every cargo-fuzz target for SECONDS seconds each (wall time), JOBS
# targets at a time (default 1), and prints per target: executions,
# coverage (libFuzzer's `cov`, edges reached), corpus size, and findings
# (new files under artifacts/TARGET: crashes, leaks, time-outs,
# out-of-memory). Exit 1 when any target has a finding. Run from
# anywhere:
#
#   fuzz/run-all.sh 60         # the smoke run: each target builds and runs
#   fuzz/run-all.sh 1800 2     # the 30-minute run, two targets at a time
#
# With more jobs than cores the targets share the cores: the executions
# column says how much each one ran.
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz
# --locked`). The corpus is seeded from the repository on the first run
# (seed.sh) and kept in fuzz/corpus/ (not committed).
set -u
cd "$(dirname "$0")" || exit 2

# One target (the script runs itself once per target): its log, and one
# summary line in $logs/TARGET.row; exit 1 on a finding.
if [ "${1:-}" = "--one" ]; then
    t=$2 secs=$3 logs=$4
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
    printf '%-10s %12s %9s %7s %9s\n' "$t" "${runs:-?}" "${cov:-?}" "$corp" "$found" >"$logs/$t.row"
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        echo "$t: exit $rc, $found new artifact(s); log: $logs/$t.log" >&2
        exit 1
    fi
    exit 0
fi

secs=${1:?usage: fuzz/run-all.sh SECONDS [JOBS]}
jobs=${2:-1}
[ -d corpus ] || ./seed.sh
cargo +nightly fuzz build || exit 2
logs=$(mktemp -d)
echo "logs: $logs" >&2
status=0
cargo +nightly fuzz list | xargs -P "$jobs" -I{} ./run-all.sh --one {} "$secs" "$logs" || status=1
printf '%-10s %12s %9s %7s %9s\n' target runs coverage corpus findings
for t in $(cargo +nightly fuzz list); do
    cat "$logs/$t.row" 2>/dev/null || { printf '%-10s did not run\n' "$t"; status=1; }
done
exit "$status"
