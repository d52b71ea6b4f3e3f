#include "config/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace sb::config {
namespace {

TEST(Keys, EveryDefaultParsesAndPassesItsCheck) {
  for (const auto& k : config_keys()) EXPECT_TRUE(parse_for_key(k, k.default_text).ok()) << k.key;
}

TEST(Keys, NamesFollowOneConvention) {
  std::set<std::string_view> keys, envs, flags;
  for (const auto& k : config_keys()) {
    EXPECT_TRUE(keys.insert(k.key).second) << "duplicate key " << k.key;
    EXPECT_TRUE(envs.insert(k.env).second) << "duplicate env " << k.env;
    EXPECT_TRUE(flags.insert(k.flag).second) << "duplicate flag " << k.flag;
    // SWITCHBOARD_ + the key upper-cased with dots as underscores.
    std::string env = "SWITCHBOARD_";
    for (char c : k.key) env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(k.env, env);
    EXPECT_TRUE(k.flag.starts_with("--")) << k.flag;
    EXPECT_FALSE(k.doc.empty()) << k.key;
    if (k.check == Check::kOneOf) {
      EXPECT_FALSE(k.choices.empty()) << k.key;
    }
  }
  for (auto required : {"http.listen", "sip.listen", "data.dir", "db.url", "demo", "log.level", "session.ttl",
                        "auth.max_failed_logins", "http.threads", "http.body_limit", "store.group_commit_max",
                        "web.root", "log.format"}) {
    EXPECT_NE(find_key(required), nullptr) << required;
  }
}

TEST(Keys, FindByFlagAndSuggestTypos) {
  ASSERT_NE(find_flag("--http"), nullptr);
  EXPECT_EQ(find_flag("--http")->key, "http.listen");
  EXPECT_EQ(find_flag("--nope"), nullptr);
  EXPECT_EQ(closest_key("http.lisen"), "http.listen");
  EXPECT_EQ(closest_key("log.levle"), "log.level");
  EXPECT_EQ(closest_key("completely.different"), "");
}

TEST(Keys, ChecksApply) {
  const KeySpec& threads = *find_key("http.threads");
  EXPECT_FALSE(parse_for_key(threads, "0").ok());
  EXPECT_EQ(parse_for_key(threads, "0").error().field, "http.threads");
  const KeySpec& level = *find_key("log.level");
  EXPECT_TRUE(parse_for_key(level, "debug").ok());
  auto bad = parse_for_key(level, "loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("trace, debug, info"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_for_key(*find_key("session.ttl"), "0s").ok());
}

TEST(Keys, MarkdownTableListsEveryKey) {
  std::string md = markdown_table();
  for (const auto& k : config_keys()) {
    EXPECT_NE(md.find("| `" + std::string(k.key) + "` |"), std::string::npos) << k.key;
  }
  EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), static_cast<long>(config_keys().size()) + 2);
}

}  // namespace
}  // namespace sb::config
