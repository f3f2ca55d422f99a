#!/usr/bin/env bash
# Set everything up, then run the whole test suite (no display needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check src tests benchmarks
.venv/bin/lint-imports
# two workers (the CI machine has two cores; most tests wait on Qt, a socket or a disk sync);
# MC_TEST_WORKERS=0 runs everything in this process
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n "${MC_TEST_WORKERS:-2}" "$@"
