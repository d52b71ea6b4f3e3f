#include "telephony/rtp.h"

namespace sb::telephony {

namespace {
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
}  // namespace

std::optional<RtpView> parse_rtp(std::uint8_t* data, std::size_t len) {
  if (!data || len < kRtpHeaderSize) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  bool padding = data[0] & 0x20, extension = data[0] & 0x10;
  std::size_t csrc = data[0] & 0x0f;
  std::size_t off = kRtpHeaderSize + 4 * csrc;
  if (off > len) return std::nullopt;
  if (extension) {
    if (off + 4 > len) return std::nullopt;
    off += 4 + 4 * std::size_t{be16(data + off + 2)};
    if (off > len) return std::nullopt;
  }
  std::size_t end = len;
  if (padding) {
    std::size_t pad = data[len - 1];
    if (pad == 0 || pad > end - off) return std::nullopt;
    end -= pad;
  }
  RtpView v;
  v.header.marker = data[1] & 0x80;
  v.header.pt = data[1] & 0x7f;
  v.header.seq = be16(data + 2);
  v.header.ts = be32(data + 4);
  v.header.ssrc = be32(data + 8);
  v.payload = data + off;
  v.size = end - off;
  return v;
}

void write_rtp_header(std::uint8_t* out, const RtpHeader& h) {
  out[0] = 0x80;
  out[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.pt & 0x7f));
  out[2] = static_cast<std::uint8_t>(h.seq >> 8);
  out[3] = static_cast<std::uint8_t>(h.seq);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<std::uint8_t>(h.ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<std::uint8_t>(h.ssrc >> (24 - 8 * i));
}

}  // namespace sb::telephony
