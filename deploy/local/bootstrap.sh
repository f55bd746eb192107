#!/usr/bin/env bash
# Installs what `make up` and `make test` need: uv (from PyPI when missing), then the locked
# Python dependencies of the whole workspace (`uv sync --frozen`, dev group included).
set -euo pipefail
cd "$(dirname "$0")/../.."

export PATH="$HOME/.local/bin:$PATH"

if ! command -v uv >/dev/null 2>&1; then
  echo "[bootstrap] uv not found: installing it from PyPI" >&2
  # A user install first; a distribution's "externally managed" Python needs the last form.
  python3 -m pip install --quiet --user uv 2>/dev/null \
    || python3 -m pip install --quiet uv 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages uv
  hash -r
  if ! command -v uv >/dev/null 2>&1; then
    echo "[bootstrap] uv was installed but is not on PATH; add its directory (pip show -f uv) to PATH" >&2
    exit 1
  fi
fi

uv sync --frozen --quiet
