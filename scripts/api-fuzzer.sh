#!/usr/bin/env bash
# Makes the schema-driven fuzzer the OpenAPI test runs against the server: schemathesis
# (pinned) in a virtual environment under target/, made once. Prints its executable.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/api-fuzzer-venv
fuzzer="$venv/bin/schemathesis"
if ! "$fuzzer" --version 2>/dev/null | grep -q "4.32.5"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5" >&2
fi
echo "$PWD/$fuzzer"
