#pragma once
// DTMF key presses as they reach us: RFC 4733 telephone-event RTP packets and
// SIP INFO bodies (application/dtmf-relay, application/dtmf). Input is
// untrusted network data: anything malformed is ignored or is an Error, never
// a crash. Plain C++, unit-tested in dtmf_test.cc.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"

namespace sb::telephony {

// RFC 4733 section 3.2 event codes 0-15 -> '0'-'9', '*', '#', 'A'-'D';
// nullopt for every other event (flash, tones, out of range).
std::optional<char> dtmf_digit_of_event(int event);

// Turns the telephone-event packets of one RTP stream into key presses, each
// reported exactly once. Feed it every packet whose payload type is the
// negotiated telephone-event type, in arrival order. Not thread-safe: one
// receiver per stream, used from one thread (the SIP thread).
//
// Rules (RFC 4733 2.5): all packets of one event carry the event's start
// timestamp; the first has the marker bit; the end packet (E bit) is sent
// three times. A press is identified by (timestamp, event), so continuation,
// end and retransmitted packets are not reported again, and a lost first
// packet still reports the press from the next one. A packet without the
// marker that repeats the previous, not yet ended event under a new timestamp
// is the next segment of a long (> 8 s) event, not a new press.
class TelephoneEventReceiver {
 public:
  // The digit when this packet starts a new key press; nullopt otherwise
  // (continuation, duplicate, non-DTMF event, or a payload shorter than 4 bytes).
  std::optional<char> on_packet(std::uint32_t rtp_timestamp, bool marker,
                                std::span<const std::uint8_t> payload);

 private:
  struct Seen {
    std::uint32_t timestamp = 0;
    std::uint8_t event = 0;
  };
  bool seen(std::uint32_t timestamp, std::uint8_t event) const;

  static constexpr std::size_t kHistory = 8;  // presses remembered against late retransmissions
  Seen history_[kHistory];
  std::size_t count_ = 0;  // valid entries in history_ (ring, newest at (count_-1) % kHistory)
  bool last_ended_ = true;
};

// The key of a SIP INFO request body. `content_type` is the Content-Type
// header value (parameters and case ignored):
//   application/dtmf-relay  "Signal=5\r\nDuration=160\r\n" (Signal may also be
//                           the event number 10/11 for * and #)
//   application/dtmf        "5" (or an event number "0".."15")
// Errors: an unknown content type, or no valid key in the body.
Result<char> parse_dtmf_info(std::string_view content_type, std::string_view body);

}  // namespace sb::telephony
