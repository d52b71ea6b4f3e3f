#include "telephony/dtmf.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sb::telephony {
namespace {

// One RFC 4733 payload: event, E bit, volume 10, duration.
std::vector<std::uint8_t> ev(int event, bool end, std::uint16_t duration) {
  return {static_cast<std::uint8_t>(event), static_cast<std::uint8_t>((end ? 0x80 : 0) | 10),
          static_cast<std::uint8_t>(duration >> 8), static_cast<std::uint8_t>(duration & 0xFF)};
}

// A whole key press as a phone sends it: start (marker), two updates, three ends.
std::string press(TelephoneEventReceiver& r, std::uint32_t ts, int event) {
  std::string got;
  auto feed = [&](bool marker, bool end, std::uint16_t d) {
    if (auto k = r.on_packet(ts, marker, ev(event, end, d))) got += *k;
  };
  feed(true, false, 160);
  feed(false, false, 320);
  feed(false, false, 480);
  feed(false, true, 640);
  feed(false, true, 640);
  feed(false, true, 640);
  return got;
}

TEST(Dtmf, EventCodes) {
  EXPECT_EQ(dtmf_digit_of_event(0), '0');
  EXPECT_EQ(dtmf_digit_of_event(9), '9');
  EXPECT_EQ(dtmf_digit_of_event(10), '*');
  EXPECT_EQ(dtmf_digit_of_event(11), '#');
  EXPECT_EQ(dtmf_digit_of_event(12), 'A');
  EXPECT_EQ(dtmf_digit_of_event(15), 'D');
  EXPECT_FALSE(dtmf_digit_of_event(16));  // flash
  EXPECT_FALSE(dtmf_digit_of_event(-1));
  EXPECT_FALSE(dtmf_digit_of_event(255));
}

TEST(Dtmf, OnePressIsReportedOnceDespiteRedundantEnds) {
  TelephoneEventReceiver r;
  EXPECT_EQ(press(r, 1000, 5), "5");
}

TEST(Dtmf, SameDigitAgainWithANewTimestampIsANewPress) {
  TelephoneEventReceiver r;
  EXPECT_EQ(press(r, 1000, 1), "1");
  EXPECT_EQ(press(r, 3000, 1), "1");
  EXPECT_EQ(press(r, 5000, 10), "*");
  EXPECT_EQ(press(r, 7000, 11), "#");
}

TEST(Dtmf, LostFirstPacketStillReportsThePress) {
  TelephoneEventReceiver r;
  EXPECT_EQ(press(r, 1000, 2), "2");
  EXPECT_EQ(r.on_packet(4000, false, ev(2, false, 320)), '2');  // marker packet lost
  EXPECT_FALSE(r.on_packet(4000, false, ev(2, true, 480)));
}

TEST(Dtmf, LateRetransmissionOfAnOldPressIsIgnored) {
  TelephoneEventReceiver r;
  EXPECT_EQ(press(r, 1000, 3), "3");
  EXPECT_EQ(press(r, 2000, 4), "4");
  EXPECT_FALSE(r.on_packet(1000, false, ev(3, true, 640)));  // reordered end of the "3"
  EXPECT_FALSE(r.on_packet(1000, true, ev(3, false, 160)));  // duplicated start of the "3"
}

TEST(Dtmf, LongEventSegmentsAreOnePress) {
  TelephoneEventReceiver r;
  EXPECT_EQ(r.on_packet(0, true, ev(7, false, 65535)), '7');
  // RFC 4733 2.5.1.3: the next segment has a new timestamp and no marker.
  EXPECT_FALSE(r.on_packet(65535, false, ev(7, false, 160)));
  EXPECT_FALSE(r.on_packet(65535, false, ev(7, true, 800)));
  // A new press of the same key starts with the marker.
  EXPECT_EQ(r.on_packet(90000, true, ev(7, false, 160)), '7');
}

TEST(Dtmf, GarbageIsIgnored) {
  TelephoneEventReceiver r;
  EXPECT_FALSE(r.on_packet(1, true, {}));
  std::vector<std::uint8_t> short_payload{5, 0x80, 0};
  EXPECT_FALSE(r.on_packet(2, true, short_payload));
  EXPECT_FALSE(r.on_packet(3, true, ev(16, false, 160)));  // flash is not a key
  EXPECT_FALSE(r.on_packet(4, true, ev(200, true, 0)));
  std::vector<std::uint8_t> long_payload{8, 0x0a, 0, 160, 9, 9, 9, 9};  // extra bytes: first event counts
  EXPECT_EQ(r.on_packet(5, true, long_payload), '8');
  EXPECT_EQ(press(r, 6, 0), "0");  // still works afterwards
}

TEST(Dtmf, TimestampWrapAround) {
  TelephoneEventReceiver r;
  EXPECT_EQ(press(r, 0xFFFFFF00u, 6), "6");
  EXPECT_EQ(press(r, 0x00000100u, 6), "6");
}

TEST(DtmfInfo, DtmfRelay) {
  EXPECT_EQ(*parse_dtmf_info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"), '5');
  EXPECT_EQ(*parse_dtmf_info("Application/DTMF-Relay; charset=utf-8", "signal = *\nDuration=100"), '*');
  EXPECT_EQ(*parse_dtmf_info("application/dtmf-relay", "Duration=160\r\nSignal=#\r\n"), '#');
  EXPECT_EQ(*parse_dtmf_info("application/dtmf-relay", "Signal=11\r\n"), '#');
  EXPECT_EQ(*parse_dtmf_info("application/dtmf-relay", "Signal=a"), 'A');
}

TEST(DtmfInfo, Dtmf) {
  EXPECT_EQ(*parse_dtmf_info("application/dtmf", "5"), '5');
  EXPECT_EQ(*parse_dtmf_info("application/dtmf", " 10\r\n"), '*');
}

TEST(DtmfInfo, Errors) {
  EXPECT_FALSE(parse_dtmf_info("text/plain", "Signal=5"));
  EXPECT_FALSE(parse_dtmf_info("", "5"));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", ""));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Duration=160"));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Signal=E"));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Signal=16"));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Signal="));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf", "55"));
  EXPECT_FALSE(parse_dtmf_info("application/dtmf", std::string_view("\0", 1)));
  EXPECT_EQ(parse_dtmf_info("application/dtmf-relay", "Duration=1").error().field, "Signal");
}

}  // namespace
}  // namespace sb::telephony
