#include "telephony/conference.h"

#include <algorithm>

namespace sb::telephony {

namespace {

// kHears[mode][listener][speaker]
constexpr bool kHears[3][Conference::kParties][Conference::kParties] = {
    // listen             caller  agent  supervisor  (speaker)
    {/* caller     */ {false, true, false},
     /* agent      */ {true, false, false},
     /* supervisor */ {true, true, false}},
    // whisper
    {/* caller     */ {false, true, false},
     /* agent      */ {true, false, true},
     /* supervisor */ {true, true, false}},
    // barge
    {/* caller     */ {false, true, true},
     /* agent      */ {true, false, true},
     /* supervisor */ {true, true, false}},
};

}  // namespace

std::optional<MonitorMode> parse_monitor_mode(std::string_view s) {
  if (s == "listen") return MonitorMode::kListen;
  if (s == "whisper") return MonitorMode::kWhisper;
  if (s == "barge") return MonitorMode::kBarge;
  return std::nullopt;
}

const char* monitor_mode_name(MonitorMode m) {
  switch (m) {
    case MonitorMode::kListen: return "listen";
    case MonitorMode::kWhisper: return "whisper";
    case MonitorMode::kBarge: return "barge";
  }
  return "?";
}

bool Conference::hears(MonitorMode mode, Party listener, Party speaker) {
  return kHears[static_cast<int>(mode)][listener][speaker];
}

void Conference::push(Party p, std::span<const std::int16_t> samples) {
  auto& q = fifo_[p];
  q.insert(q.end(), samples.begin(), samples.end());
  std::size_t max = opts_.max_frames * kFrame;
  if (q.size() > max) q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(q.size() - max));
}

void Conference::clear(Party p) {
  fifo_[p].clear();
  primed_[p] = false;
}

void Conference::tick() {
  for (int p = 0; p < kParties; ++p) {
    auto& q = fifo_[p];
    Frame& f = current_[p];
    if (!primed_[p] && q.size() >= opts_.prefill * kFrame) primed_[p] = true;
    if (primed_[p] && q.size() >= kFrame) {
      std::copy_n(q.begin(), kFrame, f.begin());
      q.erase(q.begin(), q.begin() + kFrame);
      playing_[p] = true;
    } else {
      f.fill(0);
      playing_[p] = false;
      primed_[p] = false;  // ran dry: buffer `prefill` frames again
    }
  }
}

Conference::Frame Conference::mix_for(MonitorMode mode, Party listener) const {
  std::array<Frame, kParties> heard;
  std::size_t n = 0;
  for (int s = 0; s < kParties; ++s)
    if (hears(mode, listener, static_cast<Party>(s)) && playing_[s]) heard[n++] = current_[s];
  return mix(std::span<const Frame>(heard.data(), n));
}

}  // namespace sb::telephony
