// libFuzzer entry point: the input bytes choose the operations (see
// engine_driver.h); any broken invariant aborts. Build with clang
// -fsanitize=fuzzer to fuzz; engine_fuzz_test.cc runs it under ctest.
#include <cstdio>
#include <cstdlib>

#include "routing/engine_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t pos = 0;
  auto choose = [&](std::uint32_t n) -> std::uint32_t {
    if (n == 0) return 0;
    std::uint32_t v = 0;
    for (int k = 0; k < 2; ++k) v = v << 8 | (pos < size ? data[pos++] : 0);
    return v % n;
  };
  sb::routing::testing::Driver d(choose);
  d.setup();
  while (pos < size && d.failure().empty()) d.step();
  if (!d.failure().empty()) {
    std::fprintf(stderr, "invariant broken: %s\n", d.failure().c_str());
    std::abort();
  }
  return 0;
}
