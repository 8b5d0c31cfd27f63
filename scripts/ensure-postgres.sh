#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers: starts this machine's cluster if it is down.
# With PERMIT_LEDGER_TEST_POSTGRES set, that server is the caller's business: only checked.
set -euo pipefail
url=${PERMIT_LEDGER_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}
ready() { pg_isready -q -d "$url/postgres" 2>/dev/null; }
ready && exit 0
if [ -z "${PERMIT_LEDGER_TEST_POSTGRES:-}" ] && command -v pg_ctlcluster >/dev/null; then
  echo "PostgreSQL is down: starting the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 60); do ready && exit 0; sleep 0.5; done
fi
echo "PostgreSQL does not answer at $url: the store and end-to-end tests need it" >&2
exit 1
