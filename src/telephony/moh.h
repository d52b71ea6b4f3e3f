#pragma once
// Music on hold: a loop of 8 kHz G.711 audio cut into 20 ms RTP payloads.
// The audio is loaded once (µ-law, made at build time by espeak-ng and sox)
// and shared by every waiting caller; each caller keeps its own MohCursor.
// Plain C++, unit-tested in moh_test.cc.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "telephony/sdp.h"

namespace sb::telephony {

inline constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz, one byte per sample

class MohAudio {
 public:
  // From a raw µ-law file. Errors if missing or shorter than one frame.
  static Result<MohAudio> load(const std::string& path);
  // A built-in fallback: a gentle three-note chime, then silence.
  static MohAudio chime();
  explicit MohAudio(std::string ulaw);

  // The 160-byte payload number `frame` of the loop (wraps around).
  std::string_view frame(std::uint64_t frame, Codec codec) const;
  std::size_t frames() const { return ulaw_.size() / kFrameSamples; }

 private:
  std::string ulaw_, alaw_;  // both a whole number of frames long
};

// Where a caller is in the loop and its RTP timestamp.
struct MohCursor {
  std::uint64_t frame = 0;
  std::uint32_t timestamp = 0;
  void advance() {
    ++frame;
    timestamp += kFrameSamples;
  }
};

}  // namespace sb::telephony
