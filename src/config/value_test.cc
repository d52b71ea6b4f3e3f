#include "config/value.h"

#include <gtest/gtest.h>

namespace sb::config {
namespace {

TEST(Duration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(*parse_duration("30s"), 30s);
  EXPECT_EQ(*parse_duration("15m"), 15min);
  EXPECT_EQ(*parse_duration("12h"), 12h);
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("2d"), 48h);
  EXPECT_EQ(*parse_duration("1h30m"), 90min);
  EXPECT_EQ(*parse_duration("90"), 90s);
  EXPECT_EQ(*parse_duration(" 0 "), 0s);
}

TEST(Duration, RejectsNonsense) {
  for (const char* bad : {"", "s", "-5s", "+5s", "5x", "5 s", "1.5h", "1h30", "twelve hours", "5sm",
                          "99999999999999999999s", "999999999d"}) {
    auto d = parse_duration(bad);
    EXPECT_FALSE(d.ok()) << bad;
  }
  EXPECT_NE(parse_duration("5x").error().message.find("\"5x\""), std::string::npos);
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(12h), "12h");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(48h), "2d");
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(Duration(7)), "7us");
}

TEST(Value, ParsesByType) {
  EXPECT_EQ(std::get<std::int64_t>(*parse_value(ValueType::kInt, "42")), 42);
  EXPECT_EQ(std::get<std::int64_t>(*parse_value(ValueType::kInt, "-3")), -3);
  EXPECT_FALSE(parse_value(ValueType::kInt, "two").ok());
  EXPECT_FALSE(parse_value(ValueType::kInt, "4x").ok());
  EXPECT_FALSE(parse_value(ValueType::kInt, "").ok());
  EXPECT_TRUE(std::get<bool>(*parse_value(ValueType::kBool, "Yes")));
  EXPECT_FALSE(std::get<bool>(*parse_value(ValueType::kBool, "off")));
  EXPECT_FALSE(parse_value(ValueType::kBool, "maybe").ok());
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_value(ValueType::kDouble, "0.8")), 0.8);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_value(ValueType::kDouble, "1e3")), 1000.0);
  EXPECT_FALSE(parse_value(ValueType::kDouble, "nan").ok());
  EXPECT_EQ(std::get<std::string>(*parse_value(ValueType::kString, "żółw")), "żółw");
  EXPECT_EQ(std::get<Duration>(*parse_value(ValueType::kDuration, "15m")), 15min);
}

TEST(Value, FormatsAsToml) {
  EXPECT_EQ(format_value(Value(std::string("a\"b"))), "\"a\\\"b\"");
  EXPECT_EQ(format_value(Value(std::int64_t{7})), "7");
  EXPECT_EQ(format_value(Value(true)), "true");
  EXPECT_EQ(format_value(Value(Duration(12h))), "\"12h\"");
}

TEST(HostPort, Validates) {
  auto hp = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8080);
  auto v6 = parse_host_port("[::1]:5060");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(parse_host_port("localhost:1").ok());
  EXPECT_TRUE(parse_host_port("0.0.0.0:65535").ok());
  for (const char* bad : {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", ":8080", "::1:8080",
                          "[::1:8080", "127.0.0.1:-1", "127.0.0.1:", "a b:80"}) {
    EXPECT_FALSE(parse_host_port(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sb::config
