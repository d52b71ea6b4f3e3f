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
  std::string s = make_sdp({"127.0.0.1", 20000, {Codec::kPcmu}, 42, 1, Direction::kSendRecv, std::nullopt});
  EXPECT_NE(s.find("m=audio 20000 RTP/AVP 0\r\n"), std::string::npos);
  EXPECT_NE(s.find("a=rtpmap:0 PCMU/8000\r\n"), std::string::npos);
  auto a = parse_sdp(s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->port, 20000);
  EXPECT_EQ(choose_codec(*a), Codec::kPcmu);
}

TEST(Sdp, ReadsTheTelephoneEventPayloadType) {
  auto a = parse_sdp(kOffer);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dtmf_payload, 101);
  auto b = parse_sdp("v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0 96 97\na=rtpmap:97 opus/48000/2\n"
                     "a=rtpmap:96 Telephone-Event/8000\na=fmtp:96 0-15\n");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->dtmf_payload, 96);
}

TEST(Sdp, IgnoresTelephoneEventsWeCannotUse) {
  // Not on the m= line, another clock rate, or in a second audio stream.
  for (const char* body : {"v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0\na=rtpmap:101 telephone-event/8000\n",
                           "v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0 102\na=rtpmap:102 telephone-event/16000\n",
                           "v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0\nm=audio 6000 RTP/AVP 0 101\n"
                           "a=rtpmap:101 telephone-event/8000\n",
                           "v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0 101\na=rtpmap:101 telephone-event\n",
                           "v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0 101\na=rtpmap:x telephone-event/8000\n",
                           "v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 0 101\na=rtpmap:\n"}) {
    auto a = parse_sdp(body);
    ASSERT_TRUE(a) << body;
    EXPECT_FALSE(a->dtmf_payload) << body;
    EXPECT_EQ(choose_codec(*a), Codec::kPcmu);
  }
}

TEST(Sdp, OffersTelephoneEvents) {
  SdpParams p{"10.0.0.2", 30000, {Codec::kPcmu, Codec::kPcma}, 7, 1, Direction::kSendRecv, std::nullopt};
  p.dtmf_payload = kDefaultDtmfPayload;
  std::string s = make_sdp(p);
  EXPECT_NE(s.find("m=audio 30000 RTP/AVP 0 8 101\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"), std::string::npos) << s;
  auto a = parse_sdp(s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dtmf_payload, 101);
  EXPECT_EQ(choose_codec(*a), Codec::kPcmu);
}

TEST(Sdp, AnswersWithTheOfferersTelephoneEventType) {
  auto offer = parse_sdp("v=0\nc=IN IP4 1.1.1.1\nm=audio 5000 RTP/AVP 8 96\na=rtpmap:96 telephone-event/8000\n");
  ASSERT_TRUE(offer);
  SdpParams p{"10.0.0.2", 30000, {*choose_codec(*offer)}, 7, 1, Direction::kSendRecv, std::nullopt};
  p.dtmf_payload = offer->dtmf_payload;
  std::string s = make_sdp(p);
  EXPECT_NE(s.find("m=audio 30000 RTP/AVP 8 96\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("a=fmtp:96 0-16\r\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("101"), std::string::npos) << s;
}

TEST(Sdp, NoTelephoneEventsUnlessAsked) {
  std::string s = make_sdp({"127.0.0.1", 20000, {Codec::kPcmu}, 42, 1, Direction::kSendRecv, std::nullopt});
  EXPECT_EQ(s.find("telephone-event"), std::string::npos);
  EXPECT_EQ(s.find("fmtp"), std::string::npos);
}

}  // namespace
}  // namespace sb::telephony
