#include "telephony/recorder.h"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <random>
#include <fstream>
#include <iterator>

#include "telephony/g711.h"

namespace sb::telephony {
namespace {

std::string tmp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / fmt::format("sb-rec-{}-{}", ::getpid(), name) / "r.wav").string();
}

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::int16_t s16(const std::string& b, std::size_t off) {
  return static_cast<std::int16_t>(static_cast<std::uint8_t>(b[off]) | (static_cast<std::uint8_t>(b[off + 1]) << 8));
}
std::uint32_t u32(const std::string& b, std::size_t off) {
  return static_cast<std::uint32_t>(static_cast<std::uint16_t>(s16(b, off))) |
         (static_cast<std::uint32_t>(static_cast<std::uint16_t>(s16(b, off + 2))) << 16);
}

std::string frame(std::uint8_t ulaw) { return std::string(160, static_cast<char>(ulaw)); }

TEST(WavRecorder, StereoHeaderAndChannels) {
  auto path = tmp_path("a");
  {
    auto r = WavRecorder::open(path);
    ASSERT_TRUE(r);
    for (int i = 0; i < 5; ++i) {
      (*r)->write(WavRecorder::Side::kCaller, Codec::kPcmu, frame(linear_to_ulaw(1000)));
      (*r)->write(WavRecorder::Side::kAgent, Codec::kPcma, std::string(160, static_cast<char>(linear_to_alaw(-2000))));
    }
  }
  std::string b = slurp(path);
  ASSERT_EQ(b.size(), 44u + 5 * 160 * 4);
  EXPECT_EQ(b.substr(0, 4), "RIFF");
  EXPECT_EQ(u32(b, 4), b.size() - 8);
  EXPECT_EQ(b.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(s16(b, 22), 2);     // channels
  EXPECT_EQ(u32(b, 24), 8000u);  // rate
  EXPECT_EQ(s16(b, 34), 16);
  EXPECT_EQ(u32(b, 40), 5u * 160 * 4);
  EXPECT_NEAR(s16(b, 44), 1000, 40);   // left: caller
  EXPECT_NEAR(s16(b, 46), -2000, 80);  // right: agent
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(WavRecorder, RepairAfterACrashSetsTheSizesFromTheFile) {
  auto path = tmp_path("crash");
  {
    auto r = WavRecorder::open(path);
    ASSERT_TRUE(r);
    for (int i = 0; i < 5; ++i) {
      (*r)->write(WavRecorder::Side::kCaller, Codec::kPcmu, frame(linear_to_ulaw(1000)));
      (*r)->write(WavRecorder::Side::kAgent, Codec::kPcmu, frame(linear_to_ulaw(-1000)));
    }
  }
  std::string good = slurp(path);
  // What a kill -9 leaves: the samples, with the header written at open (0 bytes of data).
  std::string crashed = good;
  for (int i = 4; i < 8; ++i) crashed[i] = i == 4 ? 36 : 0;
  for (int i = 40; i < 44; ++i) crashed[i] = 0;
  crashed += "xy";  // a torn last frame
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << crashed; }
  auto before = wav_seconds(path);  // what the header says before the repair
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(*before, 0.0);
  auto fixed = repair_wav(path);
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_TRUE(*fixed);
  std::string b = slurp(path);
  EXPECT_EQ(u32(b, 40), 5u * 160 * 4);
  EXPECT_EQ(u32(b, 4), 36u + 5 * 160 * 4);
  EXPECT_EQ(b.substr(0, 44), good.substr(0, 44));
  auto again = repair_wav(path);  // nothing to do now
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto secs = wav_seconds(path);  // 5 frames of 160 samples at 8 kHz
  ASSERT_TRUE(secs) << secs.error().message;
  EXPECT_DOUBLE_EQ(*secs, 0.1);
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a wav file at all, not at all......."; }
  EXPECT_FALSE(repair_wav(path));
  EXPECT_FALSE(repair_wav(path + ".missing"));
  EXPECT_FALSE(wav_seconds(path));
  EXPECT_FALSE(wav_seconds(path + ".missing"));
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(WavRecorder, OneSidedAudioIsPaddedWithSilence) {
  auto path = tmp_path("b");
  {
    auto r = WavRecorder::open(path, 320);
    ASSERT_TRUE(r);
    for (int i = 0; i < 10; ++i) (*r)->write(WavRecorder::Side::kAgent, Codec::kPcmu, frame(linear_to_ulaw(3000)));
    EXPECT_GT((*r)->frames_written(), 1000u);  // not held back for ever
  }
  std::string b = slurp(path);
  ASSERT_EQ(b.size(), 44u + 1600 * 4);
  EXPECT_EQ(s16(b, 44), 0);
  EXPECT_NEAR(s16(b, 46), 3000, 100);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(WavRecorder, PauseWritesNoAudioButKeepsTime) {
  auto path = tmp_path("c");
  {
    auto r = WavRecorder::open(path);
    ASSERT_TRUE(r);
    auto both = [&](std::int16_t v) {
      (*r)->write(WavRecorder::Side::kCaller, Codec::kPcmu, frame(linear_to_ulaw(v)));
      (*r)->write(WavRecorder::Side::kAgent, Codec::kPcmu, frame(linear_to_ulaw(v)));
    };
    both(1000);
    (*r)->pause(10'000);
    EXPECT_TRUE((*r)->paused());
    for (int i = 0; i < 20; ++i) both(5000);  // card number: never stored
    (*r)->resume(10'100);                     // 100 ms of silence stands for the pause
    both(2000);
  }
  std::string b = slurp(path);
  ASSERT_EQ(b.size(), 44u + (160 + 800 + 160) * 4);
  for (std::size_t f = 0; f < 1120; ++f) {
    int l = s16(b, 44 + f * 4);
    if (f < 160) EXPECT_NEAR(l, 1000, 40);
    else if (f < 960) ASSERT_EQ(l, 0) << f;
    else EXPECT_NEAR(l, 2000, 80);
  }
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}


// The recorder's rules, written plainly: each side's samples queue up; what
// both sides have is written at once; a side more than `skew` ahead is written
// down to skew/2 with silence on the other side; pause and close write out
// everything (padded); resume writes the paused time as silence.
struct ReferenceRecorder {
  std::deque<std::int16_t> side[2];
  std::vector<std::int16_t> out;  // interleaved
  std::size_t skew;
  bool paused = false;
  std::uint64_t paused_at = 0;
  explicit ReferenceRecorder(std::size_t s) : skew(s) {}
  void drain(bool all) {
    std::size_t l = side[0].size(), r = side[1].size(), both = std::min(l, r), longer = std::max(l, r);
    std::size_t n = all ? longer : (longer - both > skew ? longer - skew / 2 : both);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(i < l ? side[0][i] : 0);
      out.push_back(i < r ? side[1][i] : 0);
    }
    for (auto& q : side) q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(std::min(n, q.size())));
  }
  void write(int s, Codec c, const std::string& payload) {
    if (paused) return;
    for (char b : payload)
      side[s].push_back(c == Codec::kPcma ? alaw_to_linear(static_cast<std::uint8_t>(b))
                                          : ulaw_to_linear(static_cast<std::uint8_t>(b)));
    drain(false);
  }
  void pause(std::uint64_t now) {
    if (paused) return;
    drain(true);
    paused = true;
    paused_at = now;
  }
  void resume(std::uint64_t now) {
    if (!paused) return;
    paused = false;
    out.insert(out.end(), 2 * (now - paused_at) * 8, 0);
  }
  void close() {
    resume(paused_at);
    drain(true);
  }
};

TEST(WavRecorder, MatchesItsRulesOverRandomTraffic) {
  std::mt19937 rng(20261122);
  for (int round = 0; round < 40; ++round) {
    auto path = tmp_path("prop");
    std::size_t skew = std::uniform_int_distribution<std::size_t>(0, 2000)(rng);
    ReferenceRecorder ref(skew);
    std::uint64_t now = 1000;
    {
      auto r = WavRecorder::open(path, skew);
      ASSERT_TRUE(r);
      int ops = std::uniform_int_distribution<int>(0, 400)(rng);
      for (int i = 0; i < ops; ++i) {
        int what = std::uniform_int_distribution<int>(0, 99)(rng);
        now += std::uniform_int_distribution<int>(0, 40)(rng);
        if (what < 2) {
          (*r)->pause(now);
          ref.pause(now);
        } else if (what < 5) {
          (*r)->resume(now);
          ref.resume(now);
        } else {
          // Mostly 20 ms frames from alternating sides, sometimes odd sizes, bursts and silence from one side.
          int s = std::uniform_int_distribution<int>(0, what < 60 ? 1 : (round % 2))(rng);
          std::size_t len = what < 80 ? 160 : std::uniform_int_distribution<std::size_t>(0, 700)(rng);
          Codec c = (what + round) % 3 == 0 ? Codec::kPcma : Codec::kPcmu;
          std::string payload(len, '\0');
          for (auto& b : payload) b = static_cast<char>(rng());
          (*r)->write(s == 0 ? WavRecorder::Side::kCaller : WavRecorder::Side::kAgent, c, payload);
          ref.write(s, c, payload);
        }
      }
      ref.close();
      (*r)->close();
      EXPECT_EQ((*r)->frames_written(), ref.out.size() / 2);
    }
    std::string b = slurp(path);
    ASSERT_EQ(b.size(), 44 + 2 * ref.out.size()) << "round " << round;
    EXPECT_EQ(u32(b, 40), 2 * ref.out.size());
    for (std::size_t i = 0; i < ref.out.size(); ++i) ASSERT_EQ(s16(b, 44 + 2 * i), ref.out[i]) << "round " << round << " sample " << i;
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  }
}

}  // namespace
}  // namespace sb::telephony
