// Runs the fuzz entry point over random inputs so it is exercised by ctest
// without a fuzzing compiler.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST(EngineFuzz, RandomInputsKeepInvariants) {
  std::mt19937 rng(7);
  for (int run = 0; run < 300; ++run) {
    std::vector<std::uint8_t> bytes(rng() % 4000);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
  EXPECT_EQ(LLVMFuzzerTestOneInput(nullptr, 0), 0);
}
