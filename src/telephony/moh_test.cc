#include "telephony/moh.h"

#include <gtest/gtest.h>

#include "telephony/g711.h"

namespace sb::telephony {
namespace {

TEST(Moh, FramesAre20msAndLoop) {
  std::string audio(kFrameSamples * 3, '\0');
  for (std::size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<char>(i / kFrameSamples + 1);
  MohAudio m(audio);
  EXPECT_EQ(m.frames(), 3u);
  EXPECT_EQ(m.frame(0, Codec::kPcmu).size(), kFrameSamples);
  EXPECT_EQ(m.frame(1, Codec::kPcmu)[0], 2);
  EXPECT_EQ(m.frame(3, Codec::kPcmu)[0], 1);  // wraps
  EXPECT_EQ(m.frame(4, Codec::kPcma).size(), kFrameSamples);
}

TEST(Moh, PadsToWholeFramesWithSilence) {
  MohAudio m(std::string(kFrameSamples + 10, '\x10'));
  EXPECT_EQ(m.frames(), 2u);
  EXPECT_EQ(static_cast<std::uint8_t>(m.frame(1, Codec::kPcmu)[50]), 0xFF);
}

TEST(Moh, ChimeIsAudibleThenSilent) {
  MohAudio m = MohAudio::chime();
  ASSERT_GT(m.frames(), 50u);
  int peak = 0;
  for (auto b : m.frame(5, Codec::kPcmu)) peak = std::max(peak, std::abs(ulaw_to_linear(static_cast<std::uint8_t>(b))));
  EXPECT_GT(peak, 1000);
  EXPECT_EQ(static_cast<std::uint8_t>(m.frame(m.frames() - 1, Codec::kPcmu)[0]), 0xFF);
}

TEST(Moh, LoadErrors) {
  EXPECT_FALSE(MohAudio::load("/nonexistent/moh.ulaw"));
}

TEST(Moh, CursorAdvancesTimestampBy160) {
  MohCursor c;
  c.advance();
  c.advance();
  EXPECT_EQ(c.frame, 2u);
  EXPECT_EQ(c.timestamp, 320u);
}

}  // namespace
}  // namespace sb::telephony
