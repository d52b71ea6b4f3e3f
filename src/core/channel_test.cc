#include "core/channel.h"
#include "core/time.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(Channel, NamesRoundTrip) {
  for (Channel c : kAllChannels) EXPECT_EQ(parse_channel(to_string(c)), c);
  EXPECT_EQ(parse_channel("pigeon"), std::nullopt);
  EXPECT_EQ(parse_channel(""), std::nullopt);
}

TEST(Time, Iso8601IsUtcWithMillis) {
  EXPECT_EQ(to_iso8601(from_micros(1'700'000'000'123'456)), "2023-11-14T22:13:20.123Z");
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock c;
  auto t0 = c.now();
  EXPECT_EQ(c.now(), t0);
  c.advance(5s);
  EXPECT_EQ(c.now() - t0, Duration(5s));
}

}  // namespace
}  // namespace sb
