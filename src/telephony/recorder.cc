#include "telephony/recorder.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "telephony/g711.h"

namespace sb::telephony {

namespace {
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v));
  put16(p + 2, static_cast<std::uint16_t>(v >> 16));
}
constexpr std::size_t kHeader = 44;
constexpr std::size_t kFlushBytes = 32 * 1024;
}  // namespace

Result<std::unique_ptr<WavRecorder>> WavRecorder::open(const std::string& path, std::size_t max_skew) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Error::internal(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  auto r = std::unique_ptr<WavRecorder>(new WavRecorder(path, f, max_skew));
  r->patch_header();
  return r;
}

WavRecorder::WavRecorder(std::string path, std::FILE* f, std::size_t max_skew)
    : path_(std::move(path)), f_(f), max_skew_(max_skew) {}

WavRecorder::~WavRecorder() { close(); }

void WavRecorder::write(Side side, Codec codec, std::string_view payload) {
  if (!f_ || paused_) return;
  auto& buf = pending_[static_cast<int>(side)];
  std::size_t at = buf.size();
  buf.resize(at + payload.size());
  const auto* in = reinterpret_cast<const std::uint8_t*>(payload.data());
  if (codec == Codec::kPcma) alaw_to_linear(in, payload.size(), buf.data() + at);
  else ulaw_to_linear(in, payload.size(), buf.data() + at);
  drain(false);
}

void WavRecorder::emit(std::int16_t left, std::int16_t right) {
  std::uint8_t b[4];
  put16(b, static_cast<std::uint16_t>(left));
  put16(b + 2, static_cast<std::uint16_t>(right));
  out_.insert(out_.end(), b, b + 4);
  ++frames_;
}

// Writes the frames both sides have; with pad_all (or when one side is too far
// ahead) the other side is padded with silence.
void WavRecorder::drain(bool pad_all) {
  auto& l = pending_[0];
  auto& r = pending_[1];
  std::size_t both = std::min(l.size(), r.size());
  std::size_t longer = std::max(l.size(), r.size());
  std::size_t n = both;
  if (pad_all) n = longer;
  else if (longer - both > max_skew_) n = longer - max_skew_ / 2;  // keep some slack for the late side
  if (n > 0) {
    std::size_t at = out_.size();
    out_.resize(at + 4 * n);
    std::uint8_t* o = out_.data() + at;
    for (std::size_t i = 0; i < n; ++i, o += 4) {
      put16(o, static_cast<std::uint16_t>(i < l.size() ? l[i] : 0));
      put16(o + 2, static_cast<std::uint16_t>(i < r.size() ? r[i] : 0));
    }
    frames_ += n;
    l.erase(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(std::min(n, l.size())));
    r.erase(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(std::min(n, r.size())));
  }
  if (!out_.empty() && (out_.size() >= kFlushBytes || pad_all)) {
    std::fwrite(out_.data(), 1, out_.size(), f_);
    out_.clear();
  }
}

void WavRecorder::pause(std::uint64_t now_ms) {
  if (!f_ || paused_) return;
  drain(true);  // keep what was said before the pause, aligned
  paused_ = true;
  paused_at_ms_ = now_ms;
}

void WavRecorder::resume(std::uint64_t now_ms) {
  if (!f_ || !paused_) return;
  paused_ = false;
  std::uint64_t ms = now_ms > paused_at_ms_ ? now_ms - paused_at_ms_ : 0;
  std::uint64_t samples = ms * kRate / 1000;
  for (std::uint64_t i = 0; i < samples; ++i) {
    emit(0, 0);
    if (out_.size() >= kFlushBytes) {
      std::fwrite(out_.data(), 1, out_.size(), f_);
      out_.clear();
    }
  }
  drain(true);
}

void WavRecorder::patch_header() {
  std::uint8_t h[kHeader];
  std::uint32_t data = static_cast<std::uint32_t>(std::min<std::uint64_t>(frames_ * 4, 0xFFFFFFF0u - kHeader));
  std::memcpy(h, "RIFF", 4);
  put32(h + 4, static_cast<std::uint32_t>(36 + data));
  std::memcpy(h + 8, "WAVEfmt ", 8);
  put32(h + 16, 16);
  put16(h + 20, 1);              // PCM
  put16(h + 22, 2);              // channels: caller, agent
  put32(h + 24, kRate);          // sample rate
  put32(h + 28, kRate * 2 * 2);  // byte rate
  put16(h + 32, 4);              // block align
  put16(h + 34, 16);             // bits per sample
  std::memcpy(h + 36, "data", 4);
  put32(h + 40, data);
  long pos = std::ftell(f_);
  std::fseek(f_, 0, SEEK_SET);
  std::fwrite(h, 1, kHeader, f_);
  if (pos > static_cast<long>(kHeader)) std::fseek(f_, pos, SEEK_SET);
}

Result<bool> repair_wav(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  if (!f) return Error{ErrorCode::kUnavailable, fmt::format("{}: {}", path, std::strerror(errno)), "recording"};
  std::uint8_t h[kHeader];
  bool ok = std::fread(h, 1, kHeader, f) == kHeader && std::memcmp(h, "RIFF", 4) == 0 &&
            std::memcmp(h + 8, "WAVEfmt ", 8) == 0 && std::memcmp(h + 36, "data", 4) == 0 && h[22] == 2 && h[34] == 16;
  if (!ok) {
    std::fclose(f);
    return Error::invalid("recording", fmt::format("{} is not a Switchboard recording", path));
  }
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::uint64_t data = size > static_cast<long>(kHeader) ? static_cast<std::uint64_t>(size) - kHeader : 0;
  data -= data % 4;  // whole frames
  data = std::min<std::uint64_t>(data, 0xFFFFFFF0u - kHeader);
  std::uint32_t have = static_cast<std::uint32_t>(h[40]) | (static_cast<std::uint32_t>(h[41]) << 8) |
                       (static_cast<std::uint32_t>(h[42]) << 16) | (static_cast<std::uint32_t>(h[43]) << 24);
  if (have == data) {
    std::fclose(f);
    return false;
  }
  put32(h + 4, static_cast<std::uint32_t>(36 + data));
  put32(h + 40, static_cast<std::uint32_t>(data));
  std::fseek(f, 0, SEEK_SET);
  bool written = std::fwrite(h, 1, kHeader, f) == kHeader;
  written = std::fclose(f) == 0 && written;
  if (!written) return Error{ErrorCode::kUnavailable, fmt::format("cannot repair {}", path), "recording"};
  return true;
}

Result<double> wav_seconds(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error{ErrorCode::kUnavailable, fmt::format("{}: {}", path, std::strerror(errno)), "recording"};
  std::uint8_t h[kHeader];
  bool ok = std::fread(h, 1, kHeader, f) == kHeader && std::memcmp(h, "RIFF", 4) == 0 &&
            std::memcmp(h + 8, "WAVEfmt ", 8) == 0 && std::memcmp(h + 36, "data", 4) == 0;
  std::fclose(f);
  auto u32 = [&h](std::size_t at) {
    return static_cast<std::uint32_t>(h[at]) | (static_cast<std::uint32_t>(h[at + 1]) << 8) |
           (static_cast<std::uint32_t>(h[at + 2]) << 16) | (static_cast<std::uint32_t>(h[at + 3]) << 24);
  };
  if (!ok || u32(28) == 0) return Error::invalid("recording", fmt::format("{} is not a Switchboard recording", path));
  return static_cast<double>(u32(40)) / u32(28);
}

void WavRecorder::close() {
  if (!f_) return;
  if (paused_) resume(paused_at_ms_);  // nothing more: the call ended while paused
  drain(true);
  patch_header();
  std::fclose(f_);
  f_ = nullptr;
}

}  // namespace sb::telephony
