#!/usr/bin/env bash
# Sets up, builds and runs every test: the unit and scenario tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the whole suite (unit,
# store crash, API over real HTTP/WebSocket against a running server) on the
# Release build. Ends with one "N passed, N failed" line over both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test || exit 1
JOBS=$(nproc)

echo "== sanitizer build (ASan + UBSan) of the unit tests"
if [[ ! -f build-asan/build.ninja ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON -DSB_UNIT_ONLY=ON >/dev/null || exit 1
fi
cmake --build build-asan -j"$JOBS" || exit 1
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$JOBS" 2>&1) | tee /tmp/sb-asan-ctest.log
echo "== release suite"
(cd build && ctest --output-on-failure -j"$JOBS" 2>&1) | tee /tmp/sb-ctest.log

total() { grep -Eo 'tests passed, [0-9]+ tests failed out of [0-9]+' "$1" | tail -1 | awk '{print $3, $8}'; }
read -r f1 n1 < <(total /tmp/sb-asan-ctest.log || echo "1 1")
read -r f2 n2 < <(total /tmp/sb-ctest.log || echo "1 1")
f1=${f1:-1}; n1=${n1:-1}; f2=${f2:-1}; n2=${n2:-1}
failed=$((f1 + f2)); passed=$((n1 + n2 - failed))
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
