// Property tests: long seeded random sequences of every operation, with the
// engine's invariants checked after each step (see engine_driver.h).
#include <gtest/gtest.h>

#include <random>

#include "routing/engine_driver.h"

namespace sb::routing::testing {
namespace {

class RandomSequences : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(RandomSequences, InvariantsHoldAfterEveryStep) {
  std::mt19937_64 rng(GetParam());
  Driver d([&rng](std::uint32_t n) { return n == 0 ? 0u : static_cast<std::uint32_t>(rng() % n); });
  d.setup();
  for (int step = 0; step < 5000 && d.failure().empty(); ++step) {
    d.step();
    ASSERT_EQ(d.failure(), "") << "seed " << GetParam() << " step " << step;
  }
  EXPECT_GT(d.arrived(), 100u);
  EXPECT_GT(d.ended(), 50u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomSequences, ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8, 42, 20240601));

}  // namespace
}  // namespace sb::routing::testing
