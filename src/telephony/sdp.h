#pragma once
// SDP for G.711 audio calls (RFC 4566 / RFC 3264), just what Switchboard
// needs: read the remote audio address, port and payload types of an offer or
// answer, choose a codec, and write our own single-stream offer or answer.
// Plain C++, no libre: unit-tested in sdp_test.cc.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sb::telephony {

// Static RTP payload types of the codecs we speak (RFC 3551).
enum class Codec : int { kPcmu = 0, kPcma = 8 };
const char* codec_name(Codec c);  // "PCMU" / "PCMA"

// The telephone-event payload type we use in our own offers (dynamic range).
inline constexpr int kDefaultDtmfPayload = 101;

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };

// The first audio stream of a session description.
struct SdpAudio {
  std::string address;            // connection address (media-level c= wins over session-level)
  std::uint16_t port = 0;         // 0: stream rejected
  std::vector<int> payloads;      // payload types in the order of the m= line
  Direction direction = Direction::kSendRecv;
  // The payload type of "a=rtpmap:<pt> telephone-event/8000" (RFC 4733 DTMF),
  // when that type is also listed on the m= line.
  std::optional<int> dtmf_payload;
  // RFC 3264 hold: sendonly/inactive, or the RFC 2543 c=0.0.0.0 form.
  bool on_hold() const;
};

// Parses an SDP body. Errors name what is missing ("m=audio", "c=").
Result<SdpAudio> parse_sdp(std::string_view body);

// The first of the remote payloads that we support (their preference order).
std::optional<Codec> choose_codec(const SdpAudio& remote);

struct SdpParams {
  std::string address;            // our IPv4 media address
  std::uint16_t port = 0;         // our RTP port
  std::vector<Codec> codecs;      // offered (or answered) codecs, in preference order
  std::uint64_t session_id = 0;
  std::uint64_t version = 0;
  Direction direction = Direction::kSendRecv;
  // When set, telephone-event/8000 is added after the codecs with
  // "a=fmtp:<pt> 0-16". Offer: kDefaultDtmfPayload. Answer: the remote's
  // SdpAudio::dtmf_payload as is (nullopt when the offer had none: an answer
  // must not add a format the offer lacked, RFC 3264 6.1).
  std::optional<int> dtmf_payload;
};
std::string make_sdp(const SdpParams& p);

}  // namespace sb::telephony
