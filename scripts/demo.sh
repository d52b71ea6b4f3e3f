#!/usr/bin/env bash
# Sets up, builds and runs Switchboard with the demo contact center on an
# embedded SQLite database in ./data. Extra arguments go to `switchboard serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/src/app/switchboard serve --demo --data ./data "$@"
