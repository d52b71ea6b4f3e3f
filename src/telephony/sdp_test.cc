#include "telephony/sdp.h"

#include <gtest/gtest.h>

namespace sb::telephony {
namespace {

constexpr const char* kOffer =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

TEST(Sdp, ReadsAddressPortAndPayloadsOfAnOffer) {
  auto a = parse_sdp(kOffer);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->address, "10.0.0.1");
  EXPECT_EQ(a->port, 40000);
  EXPECT_EQ(a->payloads, (std::vector<int>{8, 0, 101}));
  EXPECT_FALSE(a->on_hold());
  EXPECT_EQ(choose_codec(*a), Codec::kPcma);  // the offerer's preference
}

TEST(Sdp, MediaLevelConnectionAndDirectionWin) {
  auto a = parse_sdp("v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0\nc=IN IP4 2.2.2.2\na=sendonly\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "2.2.2.2");
  EXPECT_TRUE(a->on_hold());
}

TEST(Sdp, OldStyleHoldIsZeroAddress) {
  auto a = parse_sdp("v=0\nc=IN IP4 0.0.0.0\nm=audio 5000 RTP/AVP 0\n");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->on_hold());
}

TEST(Sdp, NoCommonCodec) {
  auto a = parse_sdp("v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 9 18\n");
  ASSERT_TRUE(a);
  EXPECT_FALSE(choose_codec(*a));
}

TEST(Sdp, RejectsGarbage) {
  EXPECT_FALSE(parse_sdp(""));
  EXPECT_FALSE(parse_sdp("hello world"));
  EXPECT_FALSE(parse_sdp("v=0\r\nm=audio 5000 RTP/AVP 0\r\n"));              // no c=
  EXPECT_FALSE(parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\n"));                    // no audio
  EXPECT_FALSE(parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 99999 RTP/AVP 0\r\n"));  // port
  EXPECT_FALSE(parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5000 UDP/TLS 0\r\n"));
  EXPECT_FALSE(parse_sdp(std::string("v=0\r\nc=IN\0IP4", 14)));
}

TEST(Sdp, WritesAnAnswerWeCanReadBack) {
  std::string s = make_sdp({"127.0.0.1", 20000, {Codec::kPcmu}, 42, 1, Direction::kSendRecv});
  EXPECT_NE(s.find("m=audio 20000 RTP/AVP 0\r\n"), std::string::npos);
  EXPECT_NE(s.find("a=rtpmap:0 PCMU/8000\r\n"), std::string::npos);
  auto a = parse_sdp(s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->port, 20000);
  EXPECT_EQ(choose_codec(*a), Codec::kPcmu);
}

}  // namespace
}  // namespace sb::telephony
