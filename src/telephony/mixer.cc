#include "telephony/mixer.h"

#include <algorithm>

#include "telephony/g711.h"

namespace sb::telephony {

namespace {

std::int16_t decode(Codec c, char b) {
  auto u = static_cast<std::uint8_t>(b);
  return c == Codec::kPcma ? alaw_to_linear(u) : ulaw_to_linear(u);
}

char encode(Codec c, std::int16_t s) {
  return static_cast<char>(c == Codec::kPcma ? linear_to_alaw(s) : linear_to_ulaw(s));
}

}  // namespace

LinearFrame mix(std::span<const LinearFrame> frames) {
  LinearFrame out{};
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    std::int64_t sum = 0;
    for (const LinearFrame& f : frames) sum += f[i];
    out[i] = static_cast<std::int16_t>(std::clamp<std::int64_t>(sum, -32768, 32767));
  }
  return out;
}

LinearFrame decode_frame(Codec codec, std::string_view payload) {
  LinearFrame out{};
  std::size_t n = std::min(payload.size(), kFrameSamples);
  for (std::size_t i = 0; i < n; ++i) out[i] = decode(codec, payload[i]);
  return out;
}

std::string encode_frame(Codec codec, const LinearFrame& frame) {
  std::string out(kFrameSamples, '\0');
  for (std::size_t i = 0; i < kFrameSamples; ++i) out[i] = encode(codec, frame[i]);
  return out;
}

std::string transcode(Codec from, Codec to, std::string_view bytes) {
  if (from == to) return std::string(bytes);
  std::string out(bytes.size(), '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = encode(to, decode(from, bytes[i]));
  return out;
}

}  // namespace sb::telephony
