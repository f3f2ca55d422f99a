#!/usr/bin/env bash
# Set everything up, then open the console on the demo meeting (imported on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/meeting-console --demo "$@"
