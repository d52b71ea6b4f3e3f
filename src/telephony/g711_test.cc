#include "telephony/g711.h"

#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

namespace sb::telephony {
namespace {

TEST(G711, UlawSilenceAndRoundTrip) {
  EXPECT_EQ(ulaw_to_linear(0xFF), 0);
  EXPECT_EQ(linear_to_ulaw(0), 0xFF);
  for (int b = 0; b < 256; ++b) {  // every code decodes to a value that encodes back to itself
    auto u = static_cast<std::uint8_t>(b);
    if (u == 0x7F) continue;  // -0 encodes as +0
    EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(u)), u) << b;
  }
}

TEST(G711, AlawRoundTrip) {
  for (int b = 0; b < 256; ++b) {
    auto a = static_cast<std::uint8_t>(b);
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(a)), a) << b;
  }
}

TEST(G711, CompandingErrorIsSmall) {
  for (int v = -32000; v <= 32000; v += 997) {
    auto pcm = static_cast<std::int16_t>(v);
    int eu = std::abs(ulaw_to_linear(linear_to_ulaw(pcm)) - v);
    int ea = std::abs(alaw_to_linear(linear_to_alaw(pcm)) - v);
    EXPECT_LE(eu, std::abs(v) / 16 + 8) << v;
    EXPECT_LE(ea, std::abs(v) / 16 + 16) << v;
  }
}

TEST(G711, TranscodesUlawToAlaw) {
  std::string u = {static_cast<char>(linear_to_ulaw(1000)), static_cast<char>(linear_to_ulaw(-20000))};
  std::string a = ulaw_to_alaw(u);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NEAR(alaw_to_linear(static_cast<std::uint8_t>(a[0])), 1000, 64);
  EXPECT_NEAR(alaw_to_linear(static_cast<std::uint8_t>(a[1])), -20000, 1100);
}

TEST(G711, TranscodesInPlaceBothWaysWithinCompandingError) {
  std::vector<std::uint8_t> buf;
  for (int v = -30000; v <= 30000; v += 1500) buf.push_back(linear_to_ulaw(static_cast<std::int16_t>(v)));
  std::vector<std::uint8_t> orig = buf;
  ulaw_to_alaw_inplace(buf.data(), buf.size());
  for (std::size_t i = 0; i < buf.size(); ++i) {
    int want = ulaw_to_linear(orig[i]);
    EXPECT_NEAR(alaw_to_linear(buf[i]), want, std::abs(want) / 16 + 16) << i;
  }
  alaw_to_ulaw_inplace(buf.data(), buf.size());
  for (std::size_t i = 0; i < buf.size(); ++i) {
    int want = ulaw_to_linear(orig[i]);
    EXPECT_NEAR(ulaw_to_linear(buf[i]), want, std::abs(want) / 8 + 32) << i;
  }
}

}  // namespace
}  // namespace sb::telephony
