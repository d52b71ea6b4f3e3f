#include "telephony/retention.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace sb::telephony {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(Retention, RecordingNamesAndOthers) {
  EXPECT_EQ(recording_interaction("42.wav"), 42);
  EXPECT_EQ(recording_interaction("42-2.wav"), 42);
  EXPECT_EQ(recording_interaction("42-17.wav"), 42);
  for (const char* other : {"42.WAV", "42.wav.tmp", "x42.wav", "42-.wav", "42-a.wav", "-3.wav", "+3.wav", "0.wav",
                            ".wav", "42", "notes.txt", "42-2-3.wav"})
    EXPECT_EQ(recording_interaction(other), 0) << other;
}

TEST(Retention, FindsOnlyOldRecordings) {
  fs::path dir = fs::temp_directory_path() / ("sb-retention-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  auto now = fs::file_time_type::clock::now();
  auto make = [&](const fs::path& p, std::chrono::hours age) {
    std::ofstream(p) << "RIFF";
    fs::last_write_time(p, now - age);
  };
  make(dir / "1.wav", 24h * 40);       // old: deleted
  make(dir / "1-2.wav", 24h * 31);     // old second segment: deleted
  make(dir / "2.wav", 24h * 29);       // within 30 days: kept
  make(dir / "notes.txt", 24h * 400);  // not a recording: kept
  make(dir / "sub" / "3.wav", 24h * 400);  // not directly in the directory: kept
  auto r = expired_recordings(dir, now, 24h * 30);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> gone;
  for (const auto& e : *r) gone.push_back(std::to_string(e.interaction) + ":" + e.file);
  std::sort(gone.begin(), gone.end());
  EXPECT_EQ(gone, (std::vector<std::string>{"1:1-2.wav", "1:1.wav"}));
  for (const auto& e : *r) EXPECT_EQ(e.path, dir / e.file);
  EXPECT_TRUE(fs::exists(dir / "1.wav")) << "found, not deleted: the caller deletes after noting it";
  auto later = expired_recordings(dir, now + 24h * 2, 24h * 30);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 3u) << "two days on, 2.wav is old too";
  fs::remove_all(dir);
}

TEST(Retention, MissingDirectoryIsNoRecordings) {
  auto r = expired_recordings("/nonexistent/sb-recordings", fs::file_time_type::clock::now(), 1h);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace sb::telephony
