#include "telephony/prompts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

namespace sb::telephony {
namespace {

namespace fs = std::filesystem;

class PromptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sb_prompts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& file, const std::string& bytes) {
    std::string path = (dir_ / file).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  void write_standard_set() {
    for (std::string_view n : standard_prompt_names()) write(std::string(n) + ".raw", std::string("\x01\x00\x02\x00", 4));
  }

  fs::path dir_;
};

TEST_F(PromptsTest, ReadsLittleEndianSamples) {
  auto c = load_clip(write("x.raw", std::string("\x01\x00\xff\xff\x00\x80\xff\x7f", 8)));
  ASSERT_TRUE(c) << c.error().message;
  std::vector<std::int16_t> got(c->samples().begin(), c->samples().end());
  EXPECT_EQ(got, (std::vector<std::int16_t>{1, -1, -32768, 32767}));
}

TEST_F(PromptsTest, BadFilesAreErrorsNamingTheFile) {
  auto missing = load_clip((dir_ / "nope.raw").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.raw"), std::string::npos);
  auto empty = load_clip(write("empty.raw", ""));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty.raw"), std::string::npos);
  auto odd = load_clip(write("odd.raw", "abc"));
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().message.find("odd.raw"), std::string::npos);
}

TEST_F(PromptsTest, LoadsTheStandardSetAndCustomPrompts) {
  write_standard_set();
  write("sales.raw", std::string(320, '\0'));
  write("notes.txt", "not a prompt");
  auto lib = PromptLibrary::load(dir_.string());
  ASSERT_TRUE(lib) << lib.error().message;
  EXPECT_EQ(lib->size(), standard_prompt_names().size() + 1);
  ASSERT_NE(lib->get("sales"), nullptr);
  EXPECT_EQ(lib->get("sales")->size(), 160u);
  EXPECT_EQ(lib->get("welcome")->size(), 2u);
  EXPECT_EQ(lib->get("notes"), nullptr);
  EXPECT_EQ(lib->get("nothing"), nullptr);
}

TEST_F(PromptsTest, AMissingStandardPromptIsAnErrorNamingIt) {
  write_standard_set();
  fs::remove(dir_ / "callback_offer.raw");
  auto lib = PromptLibrary::load(dir_.string());
  ASSERT_FALSE(lib);
  EXPECT_NE(lib.error().message.find("callback_offer.raw"), std::string::npos) << lib.error().message;
  auto none = PromptLibrary::load((dir_ / "absent").string());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_F(PromptsTest, ABadCustomPromptIsLeftOutAndNamed) {
  write_standard_set();
  write("broken.raw", "x");
  auto lib = PromptLibrary::load(dir_.string());
  ASSERT_TRUE(lib) << lib.error().message;
  EXPECT_EQ(lib->get("broken"), nullptr);
  EXPECT_NE(lib->get("welcome"), nullptr);
  ASSERT_EQ(lib->problems().size(), 1u);
  EXPECT_NE(lib->problems()[0].find("broken.raw"), std::string::npos);
}

TEST(Prompts, StandardNamesAreUnique) {
  std::set<std::string_view> names(standard_prompt_names().begin(), standard_prompt_names().end());
  EXPECT_EQ(names.size(), standard_prompt_names().size());
  EXPECT_TRUE(names.count("welcome") && names.count("d0") && names.count("n90") && names.count("pound"));
}

TEST(Prompts, BeepsCoverEveryStandardPrompt) {
  PromptLibrary lib = PromptLibrary::beeps();
  EXPECT_EQ(lib.size(), standard_prompt_names().size());
  for (std::string_view n : standard_prompt_names()) {
    const Clip* c = lib.get(n);
    ASSERT_NE(c, nullptr) << n;
    int peak = 0;
    for (std::int16_t s : c->samples()) peak = std::max(peak, std::abs(static_cast<int>(s)));
    EXPECT_GT(peak, 3000);
  }
}

TEST(Prompts, ClipsOfASequence) {
  PromptLibrary lib = PromptLibrary::beeps();
  lib.add("sales", Clip(std::vector<std::int16_t>(10, 7)));
  std::vector<std::string> names{"for", "sales", "press", "d1"};
  auto clips = lib.clips(names);
  ASSERT_TRUE(clips);
  ASSERT_EQ(clips->size(), 4u);
  EXPECT_EQ((*clips)[1].size(), 10u);
  std::vector<std::string> bad{"for", "support"};
  auto err = lib.clips(bad);
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("support"), std::string::npos);
}

TEST(Prompts, ClipCopiesShareSamples) {
  Clip a(std::vector<std::int16_t>{1, 2, 3});
  Clip b = a;
  EXPECT_EQ(a.samples().data(), b.samples().data());
}

// Each language's table of texts (prompts/<code>.txt, what make_prompts.sh
// speaks) names exactly the standard prompts of that language, once each.
TEST(Prompts, TablesMatchTheTexts) {
  for (Language lang : all_languages()) {
    std::ifstream in(std::string(SB_PROMPT_TEXTS_DIR) + "/" + std::string(language_code(lang)) + ".txt");
    ASSERT_TRUE(in) << language_code(lang);
    std::multiset<std::string> in_file;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      auto space = line.find(' ');
      ASSERT_NE(space, std::string::npos) << language_code(lang) << ": a prompt without text: " << line;
      EXPECT_GT(line.size(), space + 1) << line;
      in_file.insert(line.substr(0, space));
    }
    auto names = standard_prompt_names(lang);
    std::multiset<std::string> standard(names.begin(), names.end());
    EXPECT_EQ(in_file, standard) << language_code(lang);
  }
}

// The prompts this build made (sb_prompts): every standard one of every language, spoken.
TEST(Prompts, TheBuiltPromptsAreComplete) {
  // The build makes them whenever sox is installed (SB_PROMPTS_BUILT); a
  // machine without sox has nothing to check here.
#ifndef SB_PROMPTS_BUILT
  GTEST_SKIP() << "sox was not found at configure time: no prompts are built";
#endif
  for (Language lang : all_languages()) {
    auto lib = PromptLibrary::load(default_prompts_dir() + "/" + std::string(language_code(lang)), lang);
    ASSERT_TRUE(lib) << lib.error().message;
    for (std::string_view n : standard_prompt_names(lang)) {
      const Clip* c = lib->get(n);
      ASSERT_NE(c, nullptr) << n;
      EXPECT_GT(c->size(), kPromptSampleRate / 10u) << language_code(lang) << " " << n;   // > 100 ms
      EXPECT_LT(c->size(), kPromptSampleRate * 12u) << language_code(lang) << " " << n;   // < 12 s
      int peak = 0;
      for (std::int16_t s : c->samples()) peak = std::max(peak, std::abs(static_cast<int>(s)));
      EXPECT_GT(peak, 2000) << language_code(lang) << " " << n;
    }
  }
}

// Each language is its own voice, not English: the same prompt differs.
TEST(Prompts, TheBuiltLanguagesAreSpokenDifferently) {
#ifndef SB_PROMPTS_BUILT
  GTEST_SKIP() << "sox was not found at configure time: no prompts are built";
#endif
  std::set<std::vector<std::int16_t>> welcomes, threes;
  for (Language lang : all_languages()) {
    std::string dir = default_prompts_dir() + "/" + std::string(language_code(lang));
    auto welcome = load_clip(dir + "/welcome.raw");
    auto three = load_clip(dir + "/d3.raw");
    ASSERT_TRUE(welcome && three) << language_code(lang);
    welcomes.emplace(welcome->samples().begin(), welcome->samples().end());
    threes.emplace(three->samples().begin(), three->samples().end());
  }
  EXPECT_EQ(welcomes.size(), all_languages().size());
  EXPECT_EQ(threes.size(), all_languages().size());
}

TEST(Ringback, OneSecondOf425HzThenFourOfSilence) {
  Clip c = ringback_clip();
  ASSERT_EQ(c.size(), 5u * kPromptSampleRate);
  auto s = c.samples();
  int crossings = 0, peak = 0;
  for (std::size_t i = 1; i < static_cast<std::size_t>(kPromptSampleRate); ++i) {
    if ((s[i - 1] < 0) != (s[i] < 0)) ++crossings;
    peak = std::max(peak, std::abs(static_cast<int>(s[i])));
  }
  EXPECT_NEAR(crossings, 850, 4) << "425 Hz: two zero crossings a cycle";
  EXPECT_GT(peak, 7000);
  EXPECT_TRUE(std::all_of(s.begin() + kPromptSampleRate, s.end(), [](std::int16_t v) { return v == 0; }));
}

}  // namespace
}  // namespace sb::telephony
