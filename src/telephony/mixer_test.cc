#include "telephony/mixer.h"

#include <gtest/gtest.h>

#include <vector>

#include "telephony/g711.h"

namespace sb::telephony {
namespace {

LinearFrame filled(std::int16_t v) {
  LinearFrame f;
  f.fill(v);
  return f;
}

TEST(Mixer, SumsSampleWise) {
  LinearFrame a = filled(100), b = filled(-30);
  a[5] = 1000;
  std::vector<LinearFrame> in{a, b, filled(7)};
  LinearFrame m = mix(in);
  EXPECT_EQ(m[0], 77);
  EXPECT_EQ(m[5], 977);
  EXPECT_EQ(m[159], 77);
}

TEST(Mixer, Saturates) {
  std::vector<LinearFrame> loud{filled(30000), filled(30000)};
  EXPECT_EQ(mix(loud)[0], 32767);
  std::vector<LinearFrame> low{filled(-30000), filled(-30000), filled(-32768)};
  EXPECT_EQ(mix(low)[10], -32768);
  std::vector<LinearFrame> cancel{filled(32767), filled(-32768), filled(32767)};
  EXPECT_EQ(mix(cancel)[0], 32766);  // clamped only at the end
}

TEST(Mixer, NothingIsSilenceAndOneIsItself) {
  EXPECT_EQ(mix({}), filled(0));
  LinearFrame a = filled(-1234);
  EXPECT_EQ(mix(std::span<const LinearFrame>(&a, 1)), a);
}

TEST(Mixer, DecodeAndEncodeFrames) {
  std::string ulaw(kFrameSamples, static_cast<char>(linear_to_ulaw(5000)));
  LinearFrame f = decode_frame(Codec::kPcmu, ulaw);
  EXPECT_EQ(f[0], ulaw_to_linear(linear_to_ulaw(5000)));
  EXPECT_EQ(encode_frame(Codec::kPcmu, f), ulaw);
  std::string alaw = encode_frame(Codec::kPcma, f);
  ASSERT_EQ(alaw.size(), kFrameSamples);
  EXPECT_EQ(static_cast<std::uint8_t>(alaw[3]), linear_to_alaw(f[3]));
}

TEST(Mixer, ShortAndLongPayloads) {
  LinearFrame f = decode_frame(Codec::kPcma, std::string(10, static_cast<char>(linear_to_alaw(-800))));
  EXPECT_EQ(f[9], alaw_to_linear(linear_to_alaw(-800)));
  EXPECT_EQ(f[10], 0);
  EXPECT_EQ(decode_frame(Codec::kPcmu, ""), filled(0));
  EXPECT_EQ(decode_frame(Codec::kPcmu, std::string(500, static_cast<char>(0xFF))), filled(0));
}

TEST(Mixer, WhisperScenario) {
  // The agent hears the caller and the supervisor; the caller does not hear the supervisor.
  std::string caller(kFrameSamples, static_cast<char>(linear_to_ulaw(2000)));
  std::string supervisor(kFrameSamples, static_cast<char>(linear_to_alaw(-500)));
  std::vector<LinearFrame> in{decode_frame(Codec::kPcmu, caller), decode_frame(Codec::kPcma, supervisor)};
  std::string to_agent = encode_frame(Codec::kPcmu, mix(in));
  int heard = ulaw_to_linear(static_cast<std::uint8_t>(to_agent[0]));
  EXPECT_NEAR(heard, 1500, 100);
}

TEST(Transcode, UlawToAlawAndBack) {
  std::string ulaw;
  for (int i = 0; i < 256; ++i) ulaw.push_back(static_cast<char>(i));
  std::string alaw = transcode(Codec::kPcmu, Codec::kPcma, ulaw);
  ASSERT_EQ(alaw.size(), 256u);
  EXPECT_EQ(alaw, ulaw_to_alaw(ulaw));
  std::string back = transcode(Codec::kPcma, Codec::kPcmu, alaw);
  for (int i = 0; i < 256; ++i) {
    int original = ulaw_to_linear(static_cast<std::uint8_t>(ulaw[i]));
    int roundtrip = ulaw_to_linear(static_cast<std::uint8_t>(back[i]));
    EXPECT_NEAR(roundtrip, original, std::max(16, std::abs(original) / 8)) << i;  // both laws ~ 4 bits of mantissa
  }
  EXPECT_EQ(transcode(Codec::kPcma, Codec::kPcmu, std::string(3, static_cast<char>(0xD5))),
            std::string(3, static_cast<char>(linear_to_ulaw(alaw_to_linear(0xD5)))));
}

TEST(Transcode, SameCodecIsACopyAndEmptyIsEmpty) {
  EXPECT_EQ(transcode(Codec::kPcma, Codec::kPcma, "abc"), "abc");
  EXPECT_EQ(transcode(Codec::kPcmu, Codec::kPcma, ""), "");
}

}  // namespace
}  // namespace sb::telephony
