#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 (only what is missing) and
# builds it (Release, ccache when present) into ./build.
#   scripts/setup.sh            runtime + build dependencies, then build
#   scripts/setup.sh --test     also the test dependencies (sipp, Chromium, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake ninja-build pkg-config ccache libboost1.74-dev libsqlite3-dev
      nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libargon2-dev
      libssl-dev libgtest-dev libgmock-dev libbenchmark-dev libre-dev librem-dev espeak-ng sox)
if [[ "${1:-}" == "--test" ]]; then
  PKGS+=(python3 python3-websockets curl wrk sqlite3 sip-tester baresip-core chromium fonts-dejavu-core)
fi
# The web UI is built with node; Debian's nodejs/npm only when no node is present.
command -v node >/dev/null 2>&1 || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD=${BUILD_DIR:-build}
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
echo "== building into $BUILD"
cmake --build "$BUILD" -j"$(nproc)"

# The web application (web/dist, served by `switchboard serve --web-root`):
# rebuilt when missing or when a web source is newer than the build.
if [[ ! -f web/dist/index.html ]] ||
   [[ -n "$(find web/src web/index.html web/package.json web/package-lock.json web/build.mjs \
            -newer web/dist/index.html -print -quit 2>/dev/null)" ]]; then
  echo "== building the web application into web/dist"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
if [[ "${1:-}" == "--test" ]] && [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  echo "== installing the browser-test driver (playwright-core; the browser is Debian's chromium)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
