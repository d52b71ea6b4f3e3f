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
  std::filesystem::remove(path);
  auto none = load_telephony_config(path.string(), nullptr);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->numbers.empty());
}

}  // namespace
}  // namespace sb::telephony
