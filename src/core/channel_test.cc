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

TEST(Time, ParsesIso8601WithZonesAndRejectsJunk) {
  EXPECT_EQ(parse_iso8601("2023-11-14T22:13:20.123Z"), from_micros(1'700'000'000'123'000));
  EXPECT_EQ(parse_iso8601("2023-11-15T00:13:20+02:00"), from_micros(1'700'000'000'000'000));
  EXPECT_EQ(parse_iso8601("2023-11-14T22:13"), from_micros(1'699'999'980'000'000));
  EXPECT_EQ(parse_iso8601("2023-11-14"), from_micros(1'699'920'000'000'000));
  for (const char* bad : {"", "2023", "2023-13-01", "2023-02-30", "2023-11-14T25:00", "2023-11-14Tnoon",
                          "2023-11-14T10:00:00X", "2023-11-14T10:00+2"})
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << bad;
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
