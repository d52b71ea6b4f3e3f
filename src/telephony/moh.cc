#include "telephony/moh.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "telephony/g711.h"

namespace sb::telephony {

MohAudio::MohAudio(std::string ulaw) : ulaw_(std::move(ulaw)) {
  std::size_t frames = std::max<std::size_t>(1, (ulaw_.size() + kFrameSamples - 1) / kFrameSamples);
  ulaw_.resize(frames * kFrameSamples, static_cast<char>(0xFF));
  alaw_ = ulaw_to_alaw(ulaw_);
}

Result<MohAudio> MohAudio::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::not_found("cannot open music on hold file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  if (data.size() < kFrameSamples) return Error::invalid("moh", path + " is shorter than 20 ms");
  return MohAudio(std::move(data));
}

MohAudio MohAudio::chime() {
  constexpr double kRate = 8000, kPi = 3.14159265358979;
  std::string out;
  for (double freq : {523.25, 659.25, 783.99}) {
    for (int i = 0; i < 4000; ++i) {  // 0.5 s per note, fading out
      double env = 1.0 - i / 4000.0;
      double s = 8000 * env * std::sin(2 * kPi * freq * i / kRate);
      out.push_back(static_cast<char>(linear_to_ulaw(static_cast<std::int16_t>(s))));
    }
  }
  out.append(8000, static_cast<char>(0xFF));  // 1 s of silence
  return MohAudio(std::move(out));
}

std::string_view MohAudio::frame(std::uint64_t frame, Codec codec) const {
  const std::string& a = codec == Codec::kPcma ? alaw_ : ulaw_;
  std::size_t i = static_cast<std::size_t>(frame % frames()) * kFrameSamples;
  return std::string_view(a).substr(i, kFrameSamples);
}

}  // namespace sb::telephony
