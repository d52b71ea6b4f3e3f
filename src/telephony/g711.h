#pragma once
// G.711 (ITU-T) companding: µ-law and A-law bytes to and from 16-bit linear
// PCM, and a µ-law -> A-law transcoder. Pure functions, unit-tested.
#include <cstddef>
#include <cstdint>
#include <string>

namespace sb::telephony {

std::int16_t ulaw_to_linear(std::uint8_t u);
std::uint8_t linear_to_ulaw(std::int16_t pcm);
std::int16_t alaw_to_linear(std::uint8_t a);
std::uint8_t linear_to_alaw(std::int16_t pcm);
// Re-encodes a µ-law buffer as A-law (through linear PCM).
std::string ulaw_to_alaw(const std::string& ulaw);
// Transcodes G.711 payload bytes in place (table lookups; same length both ways).
void ulaw_to_alaw_inplace(std::uint8_t* p, std::size_t n);
void alaw_to_ulaw_inplace(std::uint8_t* p, std::size_t n);
// Decodes n G.711 bytes to linear PCM (table lookups).
void ulaw_to_linear(const std::uint8_t* in, std::size_t n, std::int16_t* out);
void alaw_to_linear(const std::uint8_t* in, std::size_t n, std::int16_t* out);
// The 256-entry decoding tables behind those (index: the G.711 byte).
const std::int16_t* ulaw_table();
const std::int16_t* alaw_table();

}  // namespace sb::telephony
