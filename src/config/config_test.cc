#include "config/config.h"

#include <gtest/gtest.h>

namespace sb::config {
namespace {

TEST(Config, StartsAtTheDefaults) {
  Config c;
  EXPECT_EQ(c.get_string("http.listen"), "127.0.0.1:8080");
  EXPECT_EQ(c.get_string("sip.listen"), "127.0.0.1:5060");
  EXPECT_EQ(c.get_string("data.dir"), "./data");
  EXPECT_EQ(c.get_string("db.url"), "");
  EXPECT_FALSE(c.get_bool("demo"));
  EXPECT_EQ(c.get_string("log.level"), "info");
  EXPECT_EQ(c.get_string("log.format"), "text");
  EXPECT_EQ(c.get_duration("session.ttl"), 12h);
  EXPECT_EQ(c.get_int("auth.max_failed_logins"), 5);
  EXPECT_EQ(c.get_int("http.threads"), 1);
  EXPECT_EQ(c.get_int("http.body_limit"), 1 << 20);
  EXPECT_EQ(c.get_int("store.group_commit_max"), 1024);
  EXPECT_EQ(c.get_string("web.root"), "");
  EXPECT_EQ(c.source("http.listen").kind, Source::Kind::kDefault);
  EXPECT_EQ(c.source("http.listen").to_string(), "default");
}

TEST(Config, DatabaseUrlFallsBackToSqliteInDataDir) {
  Config c;
  EXPECT_EQ(database_url(c), "sqlite:./data/switchboard.db");
  ASSERT_TRUE(c.apply_override("data.dir", "/var/lib/switchboard/", Source::flag("--data")).ok());
  EXPECT_EQ(database_url(c), "sqlite:/var/lib/switchboard/switchboard.db");
  ASSERT_TRUE(c.apply_override("db.url", "postgresql://sb@db/sb", Source::env("SWITCHBOARD_DB_URL")).ok());
  EXPECT_EQ(database_url(c), "postgresql://sb@db/sb");
}

TEST(Config, OverrideParsesByTypeAndRecordsTheSource) {
  Config c;
  ASSERT_TRUE(c.apply_override("session.ttl", "30m", Source::flag("--session-ttl")).ok());
  EXPECT_EQ(c.get_duration("session.ttl"), 30min);
  EXPECT_EQ(c.source("session.ttl").to_string(), "flag --session-ttl");
  ASSERT_TRUE(c.apply_override("demo", "true", Source::env("SWITCHBOARD_DEMO")).ok());
  EXPECT_TRUE(c.get_bool("demo"));
  EXPECT_EQ(c.source("demo").to_string(), "env SWITCHBOARD_DEMO");
}

TEST(Config, BadOverrideNamesKeySourceAndReason) {
  Config c;
  Status s = c.apply_override("http.threads", "two", Source::env("SWITCHBOARD_HTTP_THREADS"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "http.threads");
  EXPECT_EQ(s.error().message, "env SWITCHBOARD_HTTP_THREADS: http.threads: expected an int, got \"two\"");
  EXPECT_EQ(c.get_int("http.threads"), 1);  // unchanged

  s = c.apply_override("http.lisen", "x", Source::flag("--x"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unknown configuration key (did you mean http.listen?)"), std::string::npos)
      << s.error().message;
}

TEST(Config, DescribeAlignsKeyValueAndSource) {
  Config c;
  ASSERT_TRUE(c.apply_override("http.threads", "4", Source::file("/etc/switchboard.toml", 7)).ok());
  std::string d = c.describe();
  EXPECT_NE(d.find("KEY "), std::string::npos);
  EXPECT_NE(d.find("http.threads"), std::string::npos);
  EXPECT_NE(d.find("/etc/switchboard.toml:7"), std::string::npos);
  EXPECT_NE(d.find("\"12h\""), std::string::npos);
  // Every line puts its value in the VALUE column.
  std::size_t column = d.find("VALUE");
  for (std::size_t start = d.find('\n') + 1; start < d.size(); start = d.find('\n', start) + 1) {
    EXPECT_EQ(d[start + column - 1], ' ') << d;
    EXPECT_NE(d[start + column], ' ') << d;
  }
}

TEST(ConfigDeathTest, WrongGetterTypeIsAProgrammingError) {
  Config c;
  EXPECT_DEATH((void)c.get_int("http.listen"), "wrong type");
  EXPECT_DEATH((void)c.get_string("no.such.key"), "unknown configuration key");
}

}  // namespace
}  // namespace sb::config
