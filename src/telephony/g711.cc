#include "telephony/g711.h"

namespace sb::telephony {

std::int16_t ulaw_to_linear(std::uint8_t u) {
  u = static_cast<std::uint8_t>(~u);
  int t = ((u & 0x0F) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return static_cast<std::int16_t>((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

std::uint8_t linear_to_ulaw(std::int16_t pcm) {
  constexpr int kBias = 0x84, kClip = 32635;
  int v = pcm;
  int sign = (v >> 8) & 0x80;
  if (sign) v = -v;
  if (v > kClip) v = kClip;
  v += kBias;
  int exponent = 7;
  for (int mask = 0x4000; (v & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  int mantissa = (v >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::int16_t alaw_to_linear(std::uint8_t a) {
  a ^= 0x55;
  int t = (a & 0x0F) << 4;
  int seg = (a & 0x70) >> 4;
  if (seg == 0) t += 8;
  else if (seg == 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return static_cast<std::int16_t>((a & 0x80) ? t : -t);
}

std::uint8_t linear_to_alaw(std::int16_t pcm) {
  int v = pcm;
  int mask;
  if (v >= 0) {
    mask = 0xD5;
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  static constexpr int kSegEnd[8] = {0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF};
  int seg = 0;
  while (seg < 8 && v > kSegEnd[seg]) ++seg;
  if (seg >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  int aval = seg << 4;
  aval |= (seg < 2) ? ((v >> 4) & 0x0F) : ((v >> (seg + 3)) & 0x0F);
  return static_cast<std::uint8_t>(aval ^ mask);
}

std::string ulaw_to_alaw(const std::string& ulaw) {
  std::string out(ulaw.size(), '\0');
  for (std::size_t i = 0; i < ulaw.size(); ++i)
    out[i] = static_cast<char>(linear_to_alaw(ulaw_to_linear(static_cast<std::uint8_t>(ulaw[i]))));
  return out;
}

}  // namespace sb::telephony

namespace sb::telephony {
namespace {
struct Tables {
  std::uint8_t u2a[256], a2u[256];
  std::int16_t u2l[256], a2l[256];
  Tables() {
    for (int i = 0; i < 256; ++i) {
      u2a[i] = linear_to_alaw(ulaw_to_linear(static_cast<std::uint8_t>(i)));
      a2u[i] = linear_to_ulaw(alaw_to_linear(static_cast<std::uint8_t>(i)));
      u2l[i] = ulaw_to_linear(static_cast<std::uint8_t>(i));
      a2l[i] = alaw_to_linear(static_cast<std::uint8_t>(i));
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}
}  // namespace

void ulaw_to_alaw_inplace(std::uint8_t* p, std::size_t n) {
  const auto& t = tables();
  for (std::size_t i = 0; i < n; ++i) p[i] = t.u2a[p[i]];
}

void alaw_to_ulaw_inplace(std::uint8_t* p, std::size_t n) {
  const auto& t = tables();
  for (std::size_t i = 0; i < n; ++i) p[i] = t.a2u[p[i]];
}

const std::int16_t* ulaw_table() { return tables().u2l; }
const std::int16_t* alaw_table() { return tables().a2l; }

void ulaw_to_linear(const std::uint8_t* in, std::size_t n, std::int16_t* out) {
  const auto& t = tables();
  for (std::size_t i = 0; i < n; ++i) out[i] = t.u2l[in[i]];
}

void alaw_to_linear(const std::uint8_t* in, std::size_t n, std::int16_t* out) {
  const auto& t = tables();
  for (std::size_t i = 0; i < n; ++i) out[i] = t.a2l[in[i]];
}

}  // namespace sb::telephony
