#pragma once
// The audio of a monitored call: three parties (caller, agent, supervisor),
// who hears whom in each monitoring mode, and the 20 ms mixes.
//
// Each party's decoded audio (linear 16-bit PCM, 8 kHz) waits in a small
// FIFO, a jitter buffer of a few 20 ms frames; tick() takes the next frame of
// every party at once, and mix_for() is what one listener hears of that tick:
// the saturating sum (mixer.h's mix) of the frames of the parties it hears in
// the mode.
//
// The jitter buffer: a party plays out once `prefill` frames are buffered
// (latency against arrival jitter), plays silence when it runs dry and then
// waits for `prefill` frames again; beyond `max_frames` the oldest samples are
// dropped (a sender whose clock runs fast cannot make the delay grow).
//
// Plain C++ (no libre), single-threaded (the SIP thread), unit-tested.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>

#include "telephony/mixer.h"

namespace sb::telephony {

enum class MonitorMode { kListen, kWhisper, kBarge };
std::optional<MonitorMode> parse_monitor_mode(std::string_view s);  // "listen" | "whisper" | "barge"
const char* monitor_mode_name(MonitorMode m);

class Conference {
 public:
  enum Party : int { kCaller = 0, kAgent = 1, kSupervisor = 2 };
  static constexpr int kParties = 3;
  static constexpr std::size_t kFrame = kFrameSamples;  // samples in 20 ms at 8 kHz
  using Frame = LinearFrame;

  struct Options {
    std::size_t prefill = 2;     // frames buffered before a party plays out
    std::size_t max_frames = 5;  // frames kept at most; older samples are dropped
  };

  Conference() : Conference(Options{}) {}
  explicit Conference(Options o) : opts_(o) {}

  // Whether `listener` hears `speaker` in `mode` (the table in conference.cc):
  //   listen:  supervisor hears caller + agent; caller and agent hear only each other.
  //   whisper: supervisor hears both; the agent hears caller + supervisor; the caller only the agent.
  //   barge:   everyone hears the other two.
  // Nobody hears themselves.
  static bool hears(MonitorMode mode, Party listener, Party speaker);

  // Appends one party's decoded samples (any length).
  void push(Party p, std::span<const std::int16_t> samples);
  // Forgets a party's buffered audio (e.g. its sound must not be heard any more).
  void clear(Party p);
  // Advances by one frame: takes each party's next frame (silence if it has none).
  void tick();
  // This tick's frame of one party (silence before the first tick).
  const Frame& frame(Party p) const { return current_[p]; }
  // Whether the party played audio this tick (false: silence for lack of samples).
  bool playing(Party p) const { return playing_[p]; }
  // What `listener` hears this tick in `mode`.
  Frame mix_for(MonitorMode mode, Party listener) const;
  std::size_t buffered(Party p) const { return fifo_[p].size(); }  // samples waiting

 private:
  Options opts_;
  std::array<std::deque<std::int16_t>, kParties> fifo_;
  std::array<Frame, kParties> current_{};
  std::array<bool, kParties> primed_{};   // playing out (false: waiting for `prefill` frames)
  std::array<bool, kParties> playing_{};
};

}  // namespace sb::telephony
