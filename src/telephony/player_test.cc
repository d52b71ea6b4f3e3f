#include "telephony/player.h"

#include <gtest/gtest.h>

#include <vector>

#include "telephony/g711.h"

namespace sb::telephony {
namespace {

Clip clip(std::size_t samples, std::int16_t value) { return Clip(std::vector<std::int16_t>(samples, value)); }

// Music whose frame k is all bytes k+1 (µ-law), so we can see where it is.
MohAudio numbered_music(int frames) {
  std::string audio;
  for (int k = 0; k < frames; ++k) audio.append(kFrameSamples, static_cast<char>(k + 1));
  return MohAudio(audio);
}

constexpr char kUlawSilence = static_cast<char>(0xFF);
constexpr char kAlawSilence = static_cast<char>(0xD5);

TEST(Player, WithoutPromptsPlaysMusic) {
  MohAudio music = numbered_music(3);
  Player p(&music);
  EXPECT_FALSE(p.playing_prompt());
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 1);
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 2);
  EXPECT_FALSE(p.take_drained());
}

TEST(Player, PlaysClipsFramePaddedThenResumesMusic) {
  MohAudio music = numbered_music(3);
  Player p(&music);
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 1);  // music frame 0
  std::vector<Clip> clips{clip(200, 1000), clip(160, -1000)};
  p.enqueue(clips);
  EXPECT_TRUE(p.playing_prompt());

  std::string_view f = p.next_frame(Codec::kPcmu);  // clip 1, samples 0..159
  ASSERT_EQ(f.size(), kFrameSamples);
  EXPECT_EQ(static_cast<std::uint8_t>(f[0]), linear_to_ulaw(1000));
  EXPECT_EQ(static_cast<std::uint8_t>(f[159]), linear_to_ulaw(1000));
  std::string second(p.next_frame(Codec::kPcmu));  // clip 1, samples 160..199 then silence
  EXPECT_EQ(static_cast<std::uint8_t>(second[39]), linear_to_ulaw(1000));
  EXPECT_EQ(second[40], kUlawSilence);
  EXPECT_EQ(second[159], kUlawSilence);
  EXPECT_FALSE(p.take_drained());
  f = p.next_frame(Codec::kPcmu);  // clip 2 starts on a frame boundary
  EXPECT_EQ(static_cast<std::uint8_t>(f[0]), linear_to_ulaw(-1000));
  EXPECT_EQ(static_cast<std::uint8_t>(f[159]), linear_to_ulaw(-1000));
  EXPECT_FALSE(p.playing_prompt());
  EXPECT_TRUE(p.take_drained());
  EXPECT_FALSE(p.take_drained());  // once

  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 2);  // music resumes where it stopped
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 3);
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 1);  // and loops
  EXPECT_FALSE(p.take_drained());
}

TEST(Player, FrameCountIsTheSumOfRoundedUpClips) {
  Player p(nullptr);
  p.enqueue(clip(1, 500));     // 1 frame
  p.enqueue(clip(320, 500));   // 2 frames
  p.enqueue(clip(321, 500));   // 3 frames
  int frames = 0;
  while (p.playing_prompt()) {
    EXPECT_FALSE(p.take_drained());
    p.next_frame(Codec::kPcma);
    ++frames;
  }
  EXPECT_EQ(frames, 6);
  EXPECT_TRUE(p.take_drained());
}

TEST(Player, EncodesInTheAskedCodec) {
  Player p(nullptr);
  p.enqueue(clip(160, 1234));
  p.enqueue(clip(160, 1234));
  EXPECT_EQ(static_cast<std::uint8_t>(p.next_frame(Codec::kPcma)[10]), linear_to_alaw(1234));
  EXPECT_EQ(static_cast<std::uint8_t>(p.next_frame(Codec::kPcmu)[10]), linear_to_ulaw(1234));
}

TEST(Player, SilenceWithoutMusic) {
  Player p(nullptr);
  EXPECT_EQ(p.next_frame(Codec::kPcmu), std::string(kFrameSamples, kUlawSilence));
  EXPECT_EQ(p.next_frame(Codec::kPcma), std::string(kFrameSamples, kAlawSilence));
}

TEST(Player, ClearStopsThePromptWithoutDraining) {
  MohAudio music = numbered_music(2);
  Player p(&music);
  p.enqueue(clip(1600, 100));
  p.next_frame(Codec::kPcmu);
  p.clear();
  EXPECT_FALSE(p.playing_prompt());
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 1);
  EXPECT_FALSE(p.take_drained());
  // A new playlist after clear() starts from its first sample.
  p.enqueue(clip(160, 2000));
  EXPECT_EQ(static_cast<std::uint8_t>(p.next_frame(Codec::kPcmu)[0]), linear_to_ulaw(2000));
  EXPECT_TRUE(p.take_drained());
}

TEST(Player, ClearForgetsAnUntakenDrain) {
  Player p(nullptr);
  p.enqueue(clip(10, 100));
  p.next_frame(Codec::kPcmu);
  p.clear();
  EXPECT_FALSE(p.take_drained());
}

TEST(Player, EmptyClipsPlayNothingButStillDrain) {
  MohAudio music = numbered_music(2);
  Player p(&music);
  p.enqueue(clip(0, 0));
  p.enqueue(clip(160, 300));
  p.enqueue(clip(0, 0));
  EXPECT_EQ(static_cast<std::uint8_t>(p.next_frame(Codec::kPcmu)[0]), linear_to_ulaw(300));
  EXPECT_TRUE(p.playing_prompt());  // the trailing empty clip
  EXPECT_FALSE(p.take_drained());
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 1);
  EXPECT_TRUE(p.take_drained());

  p.enqueue(clip(0, 0));
  EXPECT_EQ(p.next_frame(Codec::kPcmu)[0], 2);
  EXPECT_TRUE(p.take_drained());
}

TEST(Player, ClipsOutliveTheirLibrary) {
  Player p(nullptr);
  {
    PromptLibrary lib = PromptLibrary::beeps();
    p.enqueue(*lib.get("welcome"));
  }
  int frames = 0;
  while (p.playing_prompt()) {
    p.next_frame(Codec::kPcmu);
    ++frames;
  }
  EXPECT_EQ(frames, 15);  // 2400 samples
}

}  // namespace
}  // namespace sb::telephony
