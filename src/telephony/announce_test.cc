#include "telephony/announce.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "telephony/prompts.h"

namespace sb::telephony {
namespace {

using V = std::vector<std::string>;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr Language kEn = Language::kEn, kPl = Language::kPl, kRu = Language::kRu, kRo = Language::kRo,
                   kVi = Language::kVi, kEt = Language::kEt;

TEST(Announce, Numbers) {
  EXPECT_EQ(number_prompts(kEn, 1), V{"d1"});
  EXPECT_EQ(number_prompts(kEn, 9), V{"d9"});
  EXPECT_EQ(number_prompts(kEn, 10), V{"n10"});
  EXPECT_EQ(number_prompts(kEn, 19), V{"n19"});
  EXPECT_EQ(number_prompts(kEn, 20), V{"n20"});
  EXPECT_EQ(number_prompts(kEn, 23), (V{"n20", "d3"}));
  EXPECT_EQ(number_prompts(kEn, 99), (V{"n90", "d9"}));
  EXPECT_EQ(number_prompts(kEn, 0), V{});
  EXPECT_EQ(number_prompts(kEn, 100), V{});
  EXPECT_EQ(number_prompts(kEn, -5), V{});
}

TEST(Announce, NumbersPerLanguage) {
  // Positions count with the plain forms: Polish and Russian "dwadzieścia jeden", "двадцать два".
  EXPECT_EQ(number_prompts(kPl, 21), (V{"n20", "d1"}));
  EXPECT_EQ(number_prompts(kRu, 22), (V{"n20", "d2"}));
  EXPECT_EQ(number_prompts(kEt, 35), (V{"n30", "d5"}));
  // Romanian joins a ten and its units with "și": "douăzeci și trei".
  EXPECT_EQ(number_prompts(kRo, 23), (V{"n20_and", "d3"}));
  EXPECT_EQ(number_prompts(kRo, 20), V{"n20"});
  EXPECT_EQ(number_prompts(kRo, 13), V{"n13"});
  // Vietnamese: "hai mươi mốt", "ba mươi tư", "bốn mươi lăm", but "mười một", "mười lăm".
  EXPECT_EQ(number_prompts(kVi, 21), (V{"n20", "u1"}));
  EXPECT_EQ(number_prompts(kVi, 34), (V{"n30", "u4"}));
  EXPECT_EQ(number_prompts(kVi, 45), (V{"n40", "u5"}));
  EXPECT_EQ(number_prompts(kVi, 23), (V{"n20", "d3"}));
  EXPECT_EQ(number_prompts(kVi, 11), V{"n11"});
  EXPECT_EQ(number_prompts(kVi, 15), V{"n15"});
  EXPECT_EQ(number_prompts(kVi, 5), V{"d5"});
}

TEST(Announce, PolishMinutes) {
  // minuta: 1 "jedna minuta", 2-4 "minuty" (feminine "dwie"), 5-21 "minut", 22-24 "minuty" again.
  EXPECT_EQ(minutes_prompts(kPl, 1), V{"one_minute"});
  EXPECT_EQ(minutes_prompts(kPl, 2), (V{"f2", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kPl, 3), (V{"d3", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kPl, 4), (V{"d4", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kPl, 5), (V{"d5", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kPl, 12), (V{"n12", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kPl, 14), (V{"n14", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kPl, 21), (V{"n20", "d1", "minutes_many"}));  // dwadzieścia jeden minut
  EXPECT_EQ(minutes_prompts(kPl, 22), (V{"n20", "f2", "minutes_few"}));   // dwadzieścia dwie minuty
  EXPECT_EQ(minutes_prompts(kPl, 24), (V{"n20", "d4", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kPl, 25), (V{"n20", "d5", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kPl, 60), (V{"n60", "minutes_many"}));
  EXPECT_NE(minutes_prompts(kPl, 3).back(), minutes_prompts(kPl, 5).back()) << "3 minuty vs 5 minut";
}

TEST(Announce, RussianMinutes) {
  // минута: 1, 21, 31 "минута" (feminine "одна"), 2-4, 22-24 "минуты" ("две"), 5-20, 25-30 "минут".
  EXPECT_EQ(minutes_prompts(kRu, 1), V{"one_minute"});
  EXPECT_EQ(minutes_prompts(kRu, 2), (V{"f2", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kRu, 3), (V{"d3", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kRu, 5), (V{"d5", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kRu, 11), (V{"n11", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kRu, 12), (V{"n12", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kRu, 21), (V{"n20", "f1", "minutes_one"}));  // двадцать одна минута
  EXPECT_EQ(minutes_prompts(kRu, 22), (V{"n20", "f2", "minutes_few"}));  // двадцать две минуты
  EXPECT_EQ(minutes_prompts(kRu, 25), (V{"n20", "d5", "minutes_many"}));
  EXPECT_EQ(minutes_prompts(kRu, 31), (V{"n30", "f1", "minutes_one"}));
  EXPECT_EQ(minutes_prompts(kRu, 44), (V{"n40", "d4", "minutes_few"}));
  EXPECT_EQ(minutes_prompts(kRu, 60), (V{"n60", "minutes_many"}));
}

TEST(Announce, RomanianVietnameseEstonianEnglishMinutes) {
  // Romanian: "două minute", "douăsprezece minute", "douăzeci de minute", "douăzeci și două de minute".
  EXPECT_EQ(minutes_prompts(kRo, 1), V{"one_minute"});
  EXPECT_EQ(minutes_prompts(kRo, 2), (V{"f2", "minutes"}));
  EXPECT_EQ(minutes_prompts(kRo, 5), (V{"d5", "minutes"}));
  EXPECT_EQ(minutes_prompts(kRo, 12), (V{"f12", "minutes"}));
  EXPECT_EQ(minutes_prompts(kRo, 19), (V{"n19", "minutes"}));
  EXPECT_EQ(minutes_prompts(kRo, 20), (V{"n20", "minutes_de"}));
  EXPECT_EQ(minutes_prompts(kRo, 21), (V{"n20_and", "d1", "minutes_de"}));
  EXPECT_EQ(minutes_prompts(kRo, 22), (V{"n20_and", "f2", "minutes_de"}));
  // Vietnamese: no plural, no classifier with "phút"; the number's own forms.
  EXPECT_EQ(minutes_prompts(kVi, 2), (V{"d2", "minutes"}));
  EXPECT_EQ(minutes_prompts(kVi, 25), (V{"n20", "u5", "minutes"}));
  // Estonian: partitive "minutit" after every number but one, also 21.
  EXPECT_EQ(minutes_prompts(kEt, 2), (V{"d2", "minutes"}));
  EXPECT_EQ(minutes_prompts(kEt, 21), (V{"n20", "d1", "minutes"}));
  EXPECT_EQ(minutes_prompts(kEn, 1), V{"one_minute"});
  EXPECT_EQ(minutes_prompts(kEn, 2), (V{"d2", "minutes"}));
  EXPECT_EQ(minutes_prompts(kEn, 0), V{});
  EXPECT_EQ(minutes_prompts(kEn, 100), V{});
}

TEST(Announce, PositionAndWait) {
  EXPECT_EQ(position_announcement(kEn, 3, minutes(2)),
            (V{"you_are_number", "d3", "in_line", "expected_wait", "d2", "minutes"}));
  EXPECT_EQ(position_announcement(kEn, 42, std::nullopt), (V{"you_are_number", "n40", "d2", "in_line"}));
}

TEST(Announce, PositionAndWaitPerLanguage) {
  // "Twój numer w kolejce to trzy. Przewidywany czas oczekiwania to trzy minuty." / "... pięć minut."
  EXPECT_EQ(position_announcement(kPl, 3, minutes(3)), (V{"you_are_number", "d3", "expected_wait", "d3", "minutes_few"}));
  EXPECT_EQ(position_announcement(kPl, 3, minutes(5)), (V{"you_are_number", "d3", "expected_wait", "d5", "minutes_many"}));
  EXPECT_EQ(position_announcement(kPl, 2, minutes(2)), (V{"you_are_number", "d2", "expected_wait", "f2", "minutes_few"}))
      << "position two is 'dwa', two minutes 'dwie'";
  EXPECT_EQ(position_announcement(kRu, 21, minutes(21)),
            (V{"you_are_number", "n20", "d1", "expected_wait", "n20", "f1", "minutes_one"}));
  EXPECT_EQ(position_announcement(kRu, 5, minutes(5)), (V{"you_are_number", "d5", "expected_wait", "d5", "minutes_many"}));
  EXPECT_EQ(position_announcement(kVi, 21, minutes(1)),
            (V{"you_are_number", "n20", "u1", "in_line", "expected_wait", "one_minute"}));
  EXPECT_EQ(position_announcement(kRo, 22, minutes(22)),
            (V{"you_are_number", "n20_and", "d2", "in_line", "expected_wait", "n20_and", "f2", "minutes_de"}));
  EXPECT_EQ(position_announcement(kEt, 4, std::nullopt), (V{"you_are_number", "d4"}));
}

TEST(Announce, WaitIsRoundedUpToWholeMinutes) {
  auto wait = [](Duration d) { return position_announcement(kEn, 0, d); };
  EXPECT_EQ(wait(seconds(30)), V{"wait_under_a_minute"});
  EXPECT_EQ(wait(Duration(0)), V{"wait_under_a_minute"});
  EXPECT_EQ(wait(seconds(-5)), V{"wait_under_a_minute"});
  EXPECT_EQ(wait(seconds(59)), V{"wait_under_a_minute"});
  EXPECT_EQ(wait(seconds(60)), (V{"expected_wait", "one_minute"}));
  EXPECT_EQ(wait(seconds(61)), (V{"expected_wait", "d2", "minutes"}));
  EXPECT_EQ(wait(minutes(14) + seconds(1)), (V{"expected_wait", "n15", "minutes"}));
  EXPECT_EQ(wait(minutes(60)), (V{"expected_wait", "n60", "minutes"}));
  EXPECT_EQ(wait(minutes(60) + seconds(1)), V{"wait_over_an_hour"});
  EXPECT_EQ(wait(Duration::max()), V{"wait_over_an_hour"});
  EXPECT_EQ(position_announcement(kPl, 0, minutes(2) + seconds(1)), (V{"expected_wait", "d3", "minutes_few"}));
}

TEST(Announce, HugeAndZeroPositions) {
  EXPECT_EQ(position_announcement(kEn, 99, std::nullopt), (V{"you_are_number", "n90", "d9", "in_line"}));
  EXPECT_EQ(position_announcement(kEn, 100, std::nullopt), V{"position_over_99"});
  EXPECT_EQ(position_announcement(kRu, 5000, std::nullopt), V{"position_over_99"});
  EXPECT_EQ(position_announcement(kEn, 0, std::nullopt), V{});
  EXPECT_EQ(position_announcement(kEn, -1, minutes(3)), (V{"expected_wait", "d3", "minutes"}));
}

TEST(Announce, Keys) {
  EXPECT_EQ(key_prompt('0'), "d0");
  EXPECT_EQ(key_prompt('7'), "d7");
  EXPECT_EQ(key_prompt('*'), "star");
  EXPECT_EQ(key_prompt('#'), "pound");
  EXPECT_FALSE(key_prompt('A'));
  EXPECT_FALSE(key_prompt('x'));
}

TEST(Announce, Menu) {
  std::vector<MenuOption> menu{{'1', "sales"}, {'2', "support"}, {'9', std::nullopt}, {'x', "bogus"}, {'*', {}}};
  EXPECT_EQ(menu_announcement(kEn, menu),
            (V{"for", "sales", "press", "d1", "for", "support", "press", "d2", "press", "d9", "press", "star"}));
  EXPECT_EQ(menu_announcement(kPl, menu), menu_announcement(kEn, menu)) << "W sprawie <label> naciśnij jeden";
  // Estonian: "<label> jaoks vajutage üks".
  EXPECT_EQ(menu_announcement(kEt, menu),
            (V{"sales", "for", "press", "d1", "support", "for", "press", "d2", "press", "d9", "press", "star"}));
  EXPECT_EQ(menu_announcement(kEn, {}), V{});
}

// Whatever a language composes is one of its own standard prompts (or a menu label).
TEST(Announce, EverythingSaidIsAStandardPromptOfItsLanguage) {
  for (Language lang : all_languages()) {
    PromptLibrary lib = PromptLibrary::beeps(lang);
    for (int pos : {0, 1, 2, 7, 11, 13, 15, 20, 21, 22, 24, 25, 58, 99, 100, 5000})
      for (auto ewt : {std::optional<Duration>{}, std::optional<Duration>{seconds(10)},
                       std::optional<Duration>{minutes(1)}, std::optional<Duration>{minutes(37)},
                       std::optional<Duration>{minutes(600)}}) {
        V names = position_announcement(lang, pos, ewt);
        EXPECT_TRUE(lib.clips(names)) << language_code(lang) << " " << pos;
      }
    for (int n = 1; n <= kMaxSpokenNumber; ++n) {
      EXPECT_TRUE(lib.clips(number_prompts(lang, n))) << language_code(lang) << " " << n;
      EXPECT_TRUE(lib.clips(minutes_prompts(lang, n))) << language_code(lang) << " " << n << " minutes";
    }
    std::vector<MenuOption> menu{{'0', {}}, {'5', {}}, {'#', {}}, {'*', {}}};
    EXPECT_TRUE(lib.clips(menu_announcement(lang, menu))) << language_code(lang);
    for (const char* fixed : {"welcome", "invalid", "callback_offer", "callback_confirm", "goodbye"})
      EXPECT_NE(lib.get(fixed), nullptr) << language_code(lang) << " " << fixed;
  }
}

}  // namespace
}  // namespace sb::telephony
