#pragma once
// RTP packets (RFC 3550): the fixed header, parsed and written. Plain C++,
// used by the media plane (media_plane.h), which does the relaying itself
// rather than through libre so that it can run on its own threads.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sb::telephony {

struct RtpHeader {
  bool marker = false;
  std::uint8_t pt = 0;  // payload type (7 bits)
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::uint32_t ssrc = 0;
};

// A parsed packet: its header and where the payload lies inside the buffer
// that was parsed (CSRCs, the header extension and padding skipped).
struct RtpView {
  RtpHeader header;
  std::uint8_t* payload = nullptr;
  std::size_t size = 0;
};

inline constexpr std::size_t kRtpHeaderSize = 12;

// nullopt unless `data` is an RTP version 2 packet whose CSRC list, extension
// and padding all fit inside `len` bytes. Never reads outside [data, data+len).
std::optional<RtpView> parse_rtp(std::uint8_t* data, std::size_t len);

// Writes a 12-byte header (version 2, no padding, extension or CSRC) to `out`.
void write_rtp_header(std::uint8_t* out, const RtpHeader& h);

}  // namespace sb::telephony
