#include "config/loader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace sb::config {
namespace {

// A fake environment: only the variables a test sets exist.
struct FakeEnv {
  std::map<std::string, std::string, std::less<>> vars;
  Environment fn() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

// A TOML file in the test's temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(std::string_view text)
      : path_(std::filesystem::temp_directory_path() /
              ("sb_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

constexpr std::string_view kFile = R"(# Switchboard test configuration
demo = true

[http]
listen = "0.0.0.0:9000"
threads = 4

[session]
ttl = "8h"

[log]
level = "debug"
)";

TEST(Loader, DefaultsWhenNothingIsGiven) {
  FakeEnv env;
  auto c = load_config({.env = env.fn()});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->get_string("http.listen"), "127.0.0.1:8080");
  EXPECT_EQ(c->source("http.listen").kind, Source::Kind::kDefault);
}

TEST(Loader, FileOverridesDefaultsAndRecordsFileAndLine) {
  TempFile file(kFile);
  FakeEnv env;
  auto c = load_config({.config_file = file.path(), .env = env.fn()});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->get_bool("demo"));
  EXPECT_EQ(c->get_string("http.listen"), "0.0.0.0:9000");
  EXPECT_EQ(c->get_int("http.threads"), 4);
  EXPECT_EQ(c->get_duration("session.ttl"), 8h);
  EXPECT_EQ(c->get_string("log.level"), "debug");
  EXPECT_EQ(c->source("http.threads").kind, Source::Kind::kFile);
  EXPECT_EQ(c->source("http.threads").to_string(), file.path() + ":6");
  EXPECT_EQ(c->source("demo").to_string(), file.path() + ":2");
  EXPECT_EQ(c->source("sip.listen").kind, Source::Kind::kDefault);
}

TEST(Loader, FileNamedByEnvironment) {
  TempFile file(kFile);
  FakeEnv env{{{"SWITCHBOARD_CONFIG", file.path()}}};
  auto c = load_config({.env = env.fn()});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->get_int("http.threads"), 4);
}

TEST(Loader, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
  TempFile file(kFile);
  FakeEnv env{{{"SWITCHBOARD_HTTP_LISTEN", "10.0.0.5:8081"}, {"SWITCHBOARD_HTTP_THREADS", "8"}}};
  auto c = load_config(
      {.config_file = file.path(), .flags = {{"http.listen", "192.168.1.1:80"}}, .env = env.fn()});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->get_int("http.threads"), 8);
  EXPECT_EQ(c->source("http.threads").to_string(), "env SWITCHBOARD_HTTP_THREADS");
  EXPECT_EQ(c->get_string("http.listen"), "192.168.1.1:80");
  EXPECT_EQ(c->source("http.listen").to_string(), "flag --http");
  EXPECT_EQ(c->get_duration("session.ttl"), 8h);  // still from the file

  std::string d = c->describe();
  EXPECT_NE(d.find("flag --http"), std::string::npos) << d;
  EXPECT_NE(d.find("env SWITCHBOARD_HTTP_THREADS"), std::string::npos) << d;
  EXPECT_NE(d.find(file.path() + ":9"), std::string::npos) << d;
}

TEST(Loader, MissingNamedFileIsAnError) {
  FakeEnv env;
  auto c = load_config({.config_file = "/nonexistent/switchboard.toml", .env = env.fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("/nonexistent/switchboard.toml"), std::string::npos);
}

TEST(Loader, SyntaxErrorNamesFileLineAndColumn) {
  TempFile file("[http]\nlisten = \"0.0.0.0:9000\"\nthreads = = 4\n");
  FakeEnv env;
  auto c = load_config({.config_file = file.path(), .env = env.fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind(file.path() + ":3:", 0), 0u) << c.error().message;
}

TEST(Loader, UnknownKeyNamesKeyFileAndLine) {
  Config c;
  Status s = load_toml_text(c, "[http]\nlisten = \"0.0.0.0:1\"\nlisen = \"x\"\n", "/etc/sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "/etc/sb.toml:3: unknown configuration key http.lisen (did you mean http.listen?)");
  EXPECT_EQ(s.error().field, "http.lisen");

  s = load_toml_text(c, "[nothing]\nhere = 1\n", "/etc/sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "/etc/sb.toml:2: unknown configuration key nothing.here");
}

TEST(Loader, WrongTypeNamesKeyFileLineAndExpectedType) {
  Config c;
  Status s = load_toml_text(c, "[http]\nthreads = \"two\"\n", "sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "sb.toml:2: http.threads: expected int, got string");
  s = load_toml_text(c, "[http.listen]\nport = 80\n", "sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("http.listen: expected string, got table"), std::string::npos)
      << s.error().message;
  s = load_toml_text(c, "demo = \"yes\"\n", "sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "sb.toml:1: demo: expected bool, got string");
}

TEST(Loader, DurationsInToml) {
  Config c;
  ASSERT_TRUE(load_toml_text(c, "session.ttl = 3600\n", "sb.toml").ok());  // dotted key, int seconds
  EXPECT_EQ(c.get_duration("session.ttl"), 1h);
  Status s = load_toml_text(c, "[session]\nttl = \"12 hours\"\n", "sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("sb.toml:2: session.ttl: expected a duration"), std::string::npos)
      << s.error().message;
}

TEST(Loader, BadPortNamesTheKey) {
  Config c;
  Status s = load_toml_text(c, "[sip]\nlisten = \"0.0.0.0:70000\"\n", "sb.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "sip.listen");
  EXPECT_NE(s.error().message.find("sb.toml:2: sip.listen: expected host:port"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("1-65535"), std::string::npos);
}

TEST(Loader, BadEnvironmentValueNamesTheVariable) {
  FakeEnv env{{{"SWITCHBOARD_SESSION_TTL", "forever"}}};
  auto c = load_config({.env = env.fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "session.ttl");
  EXPECT_EQ(c.error().message.rfind("env SWITCHBOARD_SESSION_TTL: session.ttl: expected a duration", 0), 0u)
      << c.error().message;
}

TEST(Loader, BadFlagNamesTheFlag) {
  FakeEnv env;
  auto c = load_config({.flags = {{"http.listen", "localhost"}}, .env = env.fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind("flag --http: http.listen: expected host:port", 0), 0u) << c.error().message;
}

}  // namespace
}  // namespace sb::config
