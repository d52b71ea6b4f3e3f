#include "telephony/telephony_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "telephony/digest.h"

namespace sb::telephony {
namespace {

TEST(TelephonyConfig, ParsesUsersAndNumbers) {
  auto c = TelephonyConfig::parse(R"({"realm":"acme","users":{"anna":{"password":"pw"},
      "bob":{"ha1":"0123456789abcdef0123456789abcdef"}},"numbers":{"100":{"queue":"Sales"}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->realm, "acme");
  EXPECT_EQ(*c->ha1_for("anna"), digest_ha1("anna", "acme", "pw"));
  EXPECT_EQ(*c->ha1_for("bob"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->ha1_for("carol"), nullptr);
  EXPECT_EQ(*c->queue_for("100"), "Sales");
  EXPECT_EQ(c->queue_for("999"), nullptr);
}

TEST(TelephonyConfig, NamesTheBadField) {
  auto bad = [](const char* text) {
    auto c = TelephonyConfig::parse(text);
    return c ? std::string("ok") : c.error().field;
  };
  EXPECT_EQ(bad("[1]"), "telephony");
  EXPECT_EQ(bad("not json"), "telephony");
  EXPECT_EQ(bad(R"({"users":{"anna":{}}})"), "users.anna");
  EXPECT_EQ(bad(R"({"users":{"a b":{"password":"x"}}})"), "users.a b");
  EXPECT_EQ(bad(R"({"users":{"anna":{"ha1":"XYZ"}}})"), "users.anna.ha1");
  EXPECT_EQ(bad(R"({"numbers":{"100":{}}})"), "numbers.100.queue");
  EXPECT_EQ(bad(R"({"realm":""})"), "realm");
}

TEST(TelephonyConfig, DemoRoundTripsThroughItsFile) {
  auto demo = TelephonyConfig::demo({"anna", "minh"}, "switchboard");
  EXPECT_EQ(*demo.queue_for("200"), "Support");
  EXPECT_EQ(*demo.ha1_for("anna"), digest_ha1("anna", "switchboard", "switchboard"));
  auto path = std::filesystem::temp_directory_path() / ("sb-tel-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(path);
  auto written = load_telephony_config(path.string(), &demo);  // no file: writes the demo
  ASSERT_TRUE(written);
  auto read = load_telephony_config(path.string(), nullptr);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->user_ha1, demo.user_ha1);
  EXPECT_EQ(read->numbers, demo.numbers);
  ASSERT_TRUE(read->entry_for("500"));
  EXPECT_EQ(read->entry_for("500")->greeting, std::vector<std::string>{"welcome"});
  EXPECT_EQ(read->entry_for("500")->menu.at('3').queue, "Billing");
  EXPECT_EQ(read->entry_for("100")->announce_every_s, 30);
  EXPECT_TRUE(read->entry_for("100")->callback);
  std::filesystem::remove(path);
  auto none = load_telephony_config(path.string(), nullptr);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->numbers.empty());
}

TEST(TelephonyConfig, EntryPointsWithGreetingMenuAndAnnouncements) {
  auto c = TelephonyConfig::parse(R"({"numbers": {
      "500": {"queue": "Support", "greeting": ["welcome"], "menu": {"1": {"queue": "Sales", "prompt": "sales"},
              "2": {"queue": "Support"}}, "announce_every": 45, "callback": true},
      "100": {"queue": "Sales"}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->entry_for("100"), nullptr);
  const EntryPoint* ep = c->entry_for("500");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->menu.size(), 2u);
  EXPECT_EQ(ep->menu.at('1').prompt, "sales");
  EXPECT_EQ(ep->menu.at('2').prompt, "");
  EXPECT_EQ(ep->announce_every_s, 45);
  auto again = TelephonyConfig::parse(c->to_json().dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->entry_for("500")->menu.at('1').queue, "Sales");
}

TEST(TelephonyConfig, BadEntryPointsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"numbers": {"5": {"queue": "S", "menu": {"*": {"queue": "X"}}}}})", "numbers.5.menu.*"},
      {R"({"numbers": {"5": {"queue": "S", "menu": {"12": {"queue": "X"}}}}})", "numbers.5.menu.12"},
      {R"({"numbers": {"5": {"queue": "S", "menu": {"1": {}}}}})", "numbers.5.menu.1.queue"},
      {R"({"numbers": {"5": {"queue": "S", "greeting": "welcome"}}})", "numbers.5.greeting"},
      {R"({"numbers": {"5": {"queue": "S", "greeting": ["../etc/passwd"]}}})", "numbers.5.greeting"},
      {R"({"numbers": {"5": {"queue": "S", "announce_every": 3}}})", "numbers.5.announce_every"},
      {R"({"numbers": {"5": {"queue": "S", "callback": "yes"}}})", "numbers.5.callback"},
      {R"({"numbers": {"5": {"queue": "S", "greting": []}}})", "numbers.5.greting"},
  };
  for (const auto& k : cases) {
    auto c = TelephonyConfig::parse(k.json);
    ASSERT_FALSE(c) << k.json;
    EXPECT_EQ(c.error().field, k.field) << k.json << ": " << c.error().message;
  }
}

}  // namespace
}  // namespace sb::telephony
