#!/usr/bin/env bash
# Makes the real feed reader the feed tests use: Python feedparser (pinned) in a virtual
# environment under target/, made once. Prints the environment's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/feed-reader-venv
python="$venv/bin/python"
if ! "$python" -c "import feedparser" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "feedparser==6.0.11" >&2
fi
echo "$PWD/$python"
