#pragma once
// What one caller hears while Switchboard itself plays to them: a playlist of
// prompt clips, then music on hold (or silence) once the playlist is empty,
// cut into 20 ms G.711 RTP payloads. The SIP code calls next_frame() every
// 20 ms and advances its IVR state machine when take_drained() says the
// playlist finished. Deterministic, no clock: unit-tested in player_test.cc.
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "telephony/moh.h"
#include "telephony/prompts.h"
#include "telephony/sdp.h"

namespace sb::telephony {

// One per call; not thread-safe: the media plane uses it under its session's lock.
class Player {
 public:
  // `music` is played after the playlist; it must outlive the Player.
  // nullptr: silence after the playlist.
  explicit Player(const MohAudio* music);

  // Appends clips to the playlist. Each clip starts on a frame boundary: its
  // last partial frame is padded with silence. Empty clips play no frame.
  void enqueue(Clip clip);
  void enqueue(std::span<const Clip> clips);
  // Drops the rest of the playlist (e.g. the caller pressed a key); the next
  // frame is music. Does not count as the playlist draining, and forgets a
  // drain not yet taken.
  void clear();

  // True while clips remain to be played.
  bool playing_prompt() const { return !queue_.empty(); }

  // The next 160-byte payload in `codec`: the playlist, else music (which
  // resumes where it was interrupted), else silence. The view is valid until
  // the next call on this Player (or, for music, while `music` lives).
  std::string_view next_frame(Codec codec);

  // True exactly once after next_frame() has returned the last frame of a
  // non-empty playlist (clips enqueued then fully played, not clear()ed).
  bool take_drained();

 private:
  std::deque<Clip> queue_;
  std::size_t offset_ = 0;  // samples of queue_.front() already played
  const MohAudio* music_;
  std::uint64_t music_frame_ = 0;
  bool drained_ = false;
  std::string buf_;  // the payload of the last prompt or silence frame
};

}  // namespace sb::telephony
