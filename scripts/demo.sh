#!/usr/bin/env bash
# Sets up, builds and runs Switchboard with the demo contact center on an
# embedded SQLite database in ./data and the web UI from web/dist.
# Extra arguments go to `switchboard serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/src/app/switchboard serve --demo --data ./data --web-root web/dist "$@"
