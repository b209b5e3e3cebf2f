#!/usr/bin/env bash
# Create .venv (if needed) and install depositary with its exact pins.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.depositary-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip==25.3 >/dev/null
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
  echo "$want" > "$stamp"
fi
