#!/usr/bin/env bash
# Set up stepcache in ./.venv (idempotent). `bash scripts/setup.sh` for the library and CLI,
# `bash scripts/setup.sh test` adds the test dependencies (pytest, transformers, the official DeepCache package).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# torch first, pinned: the CPU build of 2.13.0 (an unpinned torch would pull a multi-GB CUDA build)
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
extra=""
[ "${1:-}" = "test" ] && extra="[test]"
# the browser test of `stepcache ui` (tests/test_ui.py) drives Debian's Chromium: installed when missing
if [ "${1:-}" = "test" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    { $sudo apt-get update -qq >/dev/null &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } ||
        echo "setup.sh: note: could not install chromium (apt-get); tests/test_ui.py skips its browser test" >&2
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
