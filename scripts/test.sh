#!/usr/bin/env bash
# Runs every test: unit and property tests, the store suites and the end-to-end tests over
# HTTP on SQLite and on PostgreSQL (which must answer: those tests fail, never skip, without it),
# feeds read by Python feedparser (installed by scripts/feed-reader.sh), the OpenAPI document
# fuzzed by schemathesis (installed by scripts/api-fuzzer.sh).
# Ends with one line totalling all test binaries: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
PERMIT_LEDGER_FEED_READER=$(scripts/feed-reader.sh)
export PERMIT_LEDGER_FEED_READER
PERMIT_LEDGER_API_FUZZER=$(scripts/api-fuzzer.sh)
export PERMIT_LEDGER_API_FUZZER
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
