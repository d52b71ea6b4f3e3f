#include "telephony/rtp.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace sb::telephony {
namespace {

std::vector<std::uint8_t> packet(RtpHeader h, std::size_t payload) {
  std::vector<std::uint8_t> p(kRtpHeaderSize + payload, 0xAB);
  write_rtp_header(p.data(), h);
  return p;
}

TEST(Rtp, WrittenHeaderParsesBack) {
  RtpHeader h{true, 8, 65535, 0xDEADBEEF, 0x01020304};
  auto p = packet(h, 160);
  auto v = parse_rtp(p.data(), p.size());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->header.marker);
  EXPECT_EQ(v->header.pt, 8);
  EXPECT_EQ(v->header.seq, 65535);
  EXPECT_EQ(v->header.ts, 0xDEADBEEF);
  EXPECT_EQ(v->header.ssrc, 0x01020304u);
  EXPECT_EQ(v->payload, p.data() + 12);
  EXPECT_EQ(v->size, 160u);
}

TEST(Rtp, CsrcsExtensionAndPaddingAreSkipped) {
  // 2 CSRCs, a 1-word extension, 3 bytes of padding around a 4-byte payload.
  std::vector<std::uint8_t> p{0x80 | 0x20 | 0x10 | 2, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7,
                              1, 1, 1, 1, 2, 2, 2, 2,        // CSRCs
                              0xBE, 0xDE, 0, 1, 9, 9, 9, 9,  // extension header + 1 word
                              'a', 'b', 'c', 'd',            // payload
                              0, 0, 3};                      // padding (last byte: its length)
  auto v = parse_rtp(p.data(), p.size());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size, 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(v->payload), v->size), "abcd");
}

TEST(Rtp, NotRtpIsRefused) {
  std::vector<std::uint8_t> p = packet({}, 10);
  EXPECT_FALSE(parse_rtp(p.data(), 11));  // shorter than a header... is fine: 11 < 12
  p[0] = 0x40;                             // version 1
  EXPECT_FALSE(parse_rtp(p.data(), p.size()));
  p[0] = 0x8F;  // 15 CSRCs: 72 bytes of header in a 22-byte packet
  EXPECT_FALSE(parse_rtp(p.data(), p.size()));
  p[0] = 0x90;  // an extension whose length runs past the end
  p[12] = 0, p[13] = 0, p[14] = 0xFF, p[15] = 0xFF;
  EXPECT_FALSE(parse_rtp(p.data(), p.size()));
  p[0] = 0xA0;  // padding longer than the payload
  p.back() = 200;
  EXPECT_FALSE(parse_rtp(p.data(), p.size()));
  p.back() = 0;  // padding of zero bytes is not allowed either
  EXPECT_FALSE(parse_rtp(p.data(), p.size()));
  EXPECT_FALSE(parse_rtp(nullptr, 100));
}

// Random bytes never make the parser read outside the buffer (ASan watches),
// and whatever it accepts lies inside it.
TEST(Rtp, RandomBytesStayInBounds) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::size_t n = rng() % 80;
    std::vector<std::uint8_t> p(n);
    for (auto& b : p) b = static_cast<std::uint8_t>(rng());
    if (n) p[0] = static_cast<std::uint8_t>(0x80 | (p[0] & 0x3F));
    auto v = parse_rtp(p.data(), p.size());
    if (!v) continue;
    ASSERT_GE(v->payload, p.data() + kRtpHeaderSize);
    ASSERT_LE(v->payload + v->size, p.data() + p.size());
  }
}

}  // namespace
}  // namespace sb::telephony
