#pragma once
// Audio for supervisor listen / whisper / barge and for bridging a PCMU leg to
// a PCMA leg: 20 ms frames of 160 linear samples, mixed with saturation, and
// G.711 conversions. Pure functions, unit-tested in mixer_test.cc.
//   listen:  supervisor hears mix(caller, agent)
//   whisper: agent hears mix(caller, supervisor); the caller hears the agent only
//   barge:   each of the three hears the mix of the other two
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "telephony/moh.h"
#include "telephony/sdp.h"

namespace sb::telephony {

using LinearFrame = std::array<std::int16_t, kFrameSamples>;

// The sample-wise sum of the frames, clamped to [-32768, 32767]; silence when
// there are none.
LinearFrame mix(std::span<const LinearFrame> frames);

// A G.711 payload as linear samples. A payload shorter than 160 bytes (a lost
// or odd packet) is padded with silence; bytes past 160 are ignored.
LinearFrame decode_frame(Codec codec, std::string_view payload);
// 160 G.711 bytes.
std::string encode_frame(Codec codec, const LinearFrame& frame);

// Re-encodes G.711 bytes of any length from one law to the other (through
// linear PCM); a copy when from == to.
std::string transcode(Codec from, Codec to, std::string_view bytes);

}  // namespace sb::telephony
