#include "telephony/recorder.h"

#include <algorithm>
#include <bit>
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
    : path_(std::move(path)), f_(f), max_skew_(max_skew), out_(new std::uint8_t[kFlushBytes]) {}

WavRecorder::~WavRecorder() { close(); }

void WavRecorder::Pending::consume(std::size_t n) {
  head += n;
  if (head >= s.size()) {
    s.clear();
    head = 0;
  }
}

std::int16_t* WavRecorder::Pending::append(std::size_t n) {
  if (head > 0) {  // what is waiting moves to the front (at most max_skew samples)
    s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(head));
    head = 0;
  }
  std::size_t at = s.size();
  s.resize(at + n);
  return s.data() + at;
}

template <class Left, class Right>
void WavRecorder::frames(std::size_t n, Left left, Right right) {
  std::size_t done = 0;
  while (done < n) {
    if (out_len_ + 4 > kFlushBytes) flush();
    std::size_t m = std::min(n - done, (kFlushBytes - out_len_) / 4);
    std::uint8_t* o = out_.get() + out_len_;
    for (std::size_t i = 0; i < m; ++i, o += 4) {
      auto l = static_cast<std::uint16_t>(left(done + i));
      auto r = static_cast<std::uint16_t>(right(done + i));
      if constexpr (std::endian::native == std::endian::little) {  // one 4-byte store
        std::uint32_t v = l | (static_cast<std::uint32_t>(r) << 16);
        std::memcpy(o, &v, 4);
      } else {
        o[0] = static_cast<std::uint8_t>(l);
        o[1] = static_cast<std::uint8_t>(l >> 8);
        o[2] = static_cast<std::uint8_t>(r);
        o[3] = static_cast<std::uint8_t>(r >> 8);
      }
    }
    out_len_ += 4 * m;
    done += m;
  }
  frames_ += n;
}

void WavRecorder::flush() {
  if (out_len_ == 0) return;
  std::fwrite(out_.get(), 1, out_len_, f_);
  out_len_ = 0;
}

void WavRecorder::pad(int s, std::size_t n) {
  const std::int16_t* w = pending_[s].data();
  auto silence = [](std::size_t) -> std::int16_t { return 0; };
  auto waiting = [w](std::size_t i) { return w[i]; };
  if (s == 0) frames(n, waiting, silence);
  else frames(n, silence, waiting);
  pending_[s].consume(n);
}

void WavRecorder::write(Side side, Codec codec, std::string_view payload) {
  if (!f_ || paused_) return;
  const int me = static_cast<int>(side), other = 1 - me;
  const std::int16_t* table = codec == Codec::kPcma ? alaw_table() : ulaw_table();
  const auto* in = reinterpret_cast<const std::uint8_t*>(payload.data());
  std::size_t n = payload.size();
  // The other side's waiting samples meet this payload's first ones.
  std::size_t both = std::min(n, pending_[other].size());
  if (both > 0) {
    const std::int16_t* w = pending_[other].data();
    auto mine = [table, in](std::size_t i) { return table[in[i]]; };
    auto theirs = [w](std::size_t i) { return w[i]; };
    if (me == 0) frames(both, mine, theirs);
    else frames(both, theirs, mine);
    pending_[other].consume(both);
  }
  // The rest waits for the other side.
  if (n > both) {
    std::int16_t* to = pending_[me].append(n - both);
    for (std::size_t i = both; i < n; ++i) *to++ = table[in[i]];
  }
  // A side too far ahead: the other is padded with silence, keeping some slack for it.
  for (int s = 0; s < 2; ++s)
    if (pending_[s].size() > max_skew_) pad(s, pending_[s].size() - max_skew_ / 2);
}

void WavRecorder::pause(std::uint64_t now_ms) {
  if (!f_ || paused_) return;
  for (int s = 0; s < 2; ++s) pad(s, pending_[s].size());  // keep what was said before the pause, aligned
  flush();
  paused_ = true;
  paused_at_ms_ = now_ms;
}

void WavRecorder::resume(std::uint64_t now_ms) {
  if (!f_ || !paused_) return;
  paused_ = false;
  std::uint64_t ms = now_ms > paused_at_ms_ ? now_ms - paused_at_ms_ : 0;
  auto silence = [](std::size_t) -> std::int16_t { return 0; };
  frames(static_cast<std::size_t>(ms * kRate / 1000), silence, silence);
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
  for (int s = 0; s < 2; ++s) pad(s, pending_[s].size());
  flush();
  patch_header();
  std::fclose(f_);
  f_ = nullptr;
}

}  // namespace sb::telephony
