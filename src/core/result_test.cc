#include "core/result.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return Error::invalid("x", "must be positive");
  return x;
}

TEST(Result, CarriesValueOrNamedError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "x");
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status e = Error::not_found("queue 7");
  EXPECT_FALSE(e.ok());
  EXPECT_STREQ(to_string(e.error().code), "not_found");
}

}  // namespace
}  // namespace sb
