#include "telephony/prompt_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace sb::telephony {
namespace {

namespace fs = std::filesystem;

// A prompt directory in a temp dir: each written clip is `n` samples of one
// value, so a test can tell which file a clip came from.
class PromptCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sb_catalog_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& file, std::int16_t value, std::size_t n = 4) {
    fs::create_directories(file.parent_path());
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) {
      bytes += static_cast<char>(value & 0xff);
      bytes += static_cast<char>((value >> 8) & 0xff);
    }
    std::ofstream(file, std::ios::binary) << bytes;
  }
  // Every standard prompt of `lang` in `sub` (relative to the root), each sample = value.
  void write_language(Language lang, const fs::path& sub, std::int16_t value) {
    for (std::string_view n : standard_prompt_names(lang)) write(dir_ / sub / (std::string(n) + ".raw"), value);
  }
  static std::int16_t value_of(const Clip* c) { return c ? c->samples()[0] : -1; }

  fs::path dir_;
};

TEST_F(PromptCatalogTest, EveryLanguageFromItsDirectory) {
  std::int16_t v = 10;
  for (Language l : all_languages()) write_language(l, language_code(l), v++);
  auto loaded = PromptCatalog::load(dir_.string());
  EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings.front();
  const PromptCatalog& cat = loaded.catalog;
  EXPECT_TRUE(cat.fallbacks().empty());
  v = 10;
  for (Language l : all_languages()) {
    EXPECT_EQ(cat.effective(l), l);
    EXPECT_EQ(value_of(cat.get(l, "welcome")), v++) << language_code(l);
  }
  EXPECT_NE(cat.get(Language::kPl, "minutes_few"), nullptr);
  EXPECT_EQ(cat.get(Language::kEn, "minutes_few"), nullptr) << "English has no such form";
  EXPECT_EQ(cat.get(Language::kPl, "nothing"), nullptr);
}

TEST_F(PromptCatalogTest, AMissingLanguageFallsBackToEnglishWithOneWarning) {
  write_language(Language::kEn, "en", 1);
  write_language(Language::kPl, "pl", 2);
  write_language(Language::kRu, "ru", 3);
  fs::remove(dir_ / "ru" / "minutes_few.raw");  // incomplete: English rather than half a sentence
  auto loaded = PromptCatalog::load(dir_.string());
  ASSERT_EQ(loaded.warnings.size(), 1u);
  const std::string& w = loaded.warnings[0];
  for (const char* named : {"Russian (ru)", "minutes_few.raw", "Vietnamese (vi)", "Estonian (et)", "Romanian (ro)"})
    EXPECT_NE(w.find(named), std::string::npos) << named << " in: " << w;
  EXPECT_EQ(w.find("Polish"), std::string::npos) << w;
  const PromptCatalog& cat = loaded.catalog;
  EXPECT_EQ(cat.effective(Language::kPl), Language::kPl);
  EXPECT_EQ(cat.effective(Language::kRu), Language::kEn);
  EXPECT_EQ(cat.effective(Language::kVi), Language::kEn);
  EXPECT_EQ(value_of(cat.get(Language::kRu, "welcome")), 1) << "English, never silence";
  EXPECT_EQ(value_of(cat.get(Language::kPl, "welcome")), 2);
  EXPECT_EQ((std::vector<Language>{Language::kVi, Language::kEt, Language::kRo, Language::kRu}), cat.fallbacks());
}

TEST_F(PromptCatalogTest, CustomPromptsOfTheRootServeEveryLanguageALanguagesOwnWins) {
  for (Language l : all_languages()) write_language(l, language_code(l), 5);
  write(dir_ / "sales.raw", 7);
  write(dir_ / "pl" / "sales.raw", 8);
  write(dir_ / "notes.txt", 0);
  auto loaded = PromptCatalog::load(dir_.string());
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kEn, "sales")), 7);
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kRu, "sales")), 7);
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kPl, "sales")), 8);
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kEn, "welcome")), 5) << "a language's standard prompt, not the root's";
  EXPECT_EQ(loaded.catalog.get(Language::kEn, "notes"), nullptr);
}

// One bad custom recording (an odd byte count) is left out with a warning;
// the language keeps all its other prompts.
TEST_F(PromptCatalogTest, ABadCustomPromptIsLeftOutNotTheLanguage) {
  for (Language l : all_languages()) write_language(l, language_code(l), 5);
  write(dir_ / "pl" / "sales.raw", 8);
  std::ofstream(dir_ / "pl" / "billing.raw", std::ios::binary) << "abc";  // 3 bytes: not 16-bit samples
  auto loaded = PromptCatalog::load(dir_.string());
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_NE(loaded.warnings[0].find("billing.raw"), std::string::npos) << loaded.warnings[0];
  EXPECT_EQ(loaded.catalog.effective(Language::kPl), Language::kPl) << "Polish stays Polish";
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kPl, "sales")), 8);
  EXPECT_EQ(loaded.catalog.get(Language::kPl, "billing"), nullptr);
}

TEST_F(PromptCatalogTest, TheLayoutBeforeLanguagesIsEnglish) {
  write_language(Language::kEn, ".", 3);  // standard prompts directly in the directory
  write(dir_ / "sales.raw", 4);
  auto loaded = PromptCatalog::load(dir_.string());
  ASSERT_EQ(loaded.warnings.size(), 1u) << "only: the other languages speak English";
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kEn, "welcome")), 3);
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kPl, "welcome")), 3);
  EXPECT_EQ(value_of(loaded.catalog.get(Language::kPl, "sales")), 4);
}

TEST_F(PromptCatalogTest, NoPromptsAtAllAreBeepsInEveryLanguage) {
  auto loaded = PromptCatalog::load((dir_ / "absent").string());
  ASSERT_EQ(loaded.warnings.size(), 2u);
  EXPECT_NE(loaded.warnings[0].find("prompts are beeps"), std::string::npos) << loaded.warnings[0];
  for (Language l : all_languages()) {
    EXPECT_EQ(loaded.catalog.effective(l), Language::kEn);
    const Clip* c = loaded.catalog.get(l, "welcome");
    ASSERT_NE(c, nullptr) << language_code(l);
    EXPECT_GT(c->size(), 1000u);
  }
}

TEST(PromptCatalog, BeepsHaveEveryLanguagesOwnPrompts) {
  PromptCatalog cat = PromptCatalog::beeps();
  EXPECT_TRUE(cat.fallbacks().empty());
  EXPECT_NE(cat.get(Language::kRo, "n20_and"), nullptr);
  EXPECT_NE(cat.get(Language::kVi, "u1"), nullptr);
  EXPECT_EQ(cat.effective(Language::kEt), Language::kEt);
}

}  // namespace
}  // namespace sb::telephony
