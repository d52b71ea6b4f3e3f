#include "telephony/announce.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "telephony/prompts.h"

namespace sb::telephony {
namespace {

using V = std::vector<std::string>;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Announce, Numbers) {
  EXPECT_EQ(number_prompts(1), V{"d1"});
  EXPECT_EQ(number_prompts(9), V{"d9"});
  EXPECT_EQ(number_prompts(10), V{"n10"});
  EXPECT_EQ(number_prompts(19), V{"n19"});
  EXPECT_EQ(number_prompts(20), V{"n20"});
  EXPECT_EQ(number_prompts(23), (V{"n20", "d3"}));
  EXPECT_EQ(number_prompts(99), (V{"n90", "d9"}));
  EXPECT_EQ(number_prompts(0), V{});
  EXPECT_EQ(number_prompts(100), V{});
  EXPECT_EQ(number_prompts(-5), V{});
}

TEST(Announce, EveryNumberIsAStandardPrompt) {
  auto names = standard_prompt_names();
  for (int n = 1; n <= kMaxSpokenNumber; ++n)
    for (const std::string& p : number_prompts(n))
      EXPECT_NE(std::find(names.begin(), names.end(), p), names.end()) << n << " " << p;
}

TEST(Announce, PositionAndWait) {
  EXPECT_EQ(position_announcement(3, minutes(2)),
            (V{"you_are_number", "d3", "in_line", "expected_wait", "d2", "minutes"}));
  EXPECT_EQ(position_announcement(42, std::nullopt), (V{"you_are_number", "n40", "d2", "in_line"}));
}

TEST(Announce, WaitIsRoundedUpToWholeMinutes) {
  auto wait = [](Duration d) {
    V v = position_announcement(0, d);
    return V(v.begin() + 1, v.end());  // without "expected_wait"
  };
  EXPECT_EQ(position_announcement(0, seconds(30)), (V{"expected_wait", "less_than_a_minute"}));
  EXPECT_EQ(wait(Duration(0)), V{"less_than_a_minute"});
  EXPECT_EQ(wait(seconds(-5)), V{"less_than_a_minute"});
  EXPECT_EQ(wait(seconds(59)), V{"less_than_a_minute"});
  EXPECT_EQ(wait(seconds(60)), (V{"d1", "minute"}));
  EXPECT_EQ(wait(seconds(61)), (V{"d2", "minutes"}));
  EXPECT_EQ(wait(minutes(14) + seconds(1)), (V{"n15", "minutes"}));
  EXPECT_EQ(wait(minutes(60)), (V{"n60", "minutes"}));
  EXPECT_EQ(wait(minutes(60) + seconds(1)), (V{"more_than", "n60", "minutes"}));
  EXPECT_EQ(wait(Duration::max()), (V{"more_than", "n60", "minutes"}));
}

TEST(Announce, HugeAndZeroPositions) {
  EXPECT_EQ(position_announcement(99, std::nullopt), (V{"you_are_number", "n90", "d9", "in_line"}));
  EXPECT_EQ(position_announcement(100, std::nullopt), (V{"you_are_number", "more_than", "n90", "d9", "in_line"}));
  EXPECT_EQ(position_announcement(0, std::nullopt), V{});
  EXPECT_EQ(position_announcement(-1, minutes(3)), (V{"expected_wait", "d3", "minutes"}));
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
  EXPECT_EQ(menu_announcement(menu),
            (V{"for", "sales", "press", "d1", "for", "support", "press", "d2", "press", "d9", "press", "star"}));
  EXPECT_EQ(menu_announcement({}), V{});
}

TEST(Announce, EverythingSaidIsAStandardPrompt) {
  PromptLibrary lib = PromptLibrary::beeps();
  for (int pos : {0, 1, 7, 13, 20, 58, 99, 100, 5000})
    for (auto ewt : {std::optional<Duration>{}, std::optional<Duration>{seconds(10)},
                     std::optional<Duration>{minutes(1)}, std::optional<Duration>{minutes(37)},
                     std::optional<Duration>{minutes(600)}}) {
      V names = position_announcement(pos, ewt);
      EXPECT_TRUE(lib.clips(names)) << pos;
    }
}

}  // namespace
}  // namespace sb::telephony
