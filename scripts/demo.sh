#!/usr/bin/env bash
# The main job on the embedded default: see README.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/depositary demo "$@"
