#pragma once
// Call recording: a stereo WAV file (RIFF, PCM 16-bit, 8 kHz), the caller on
// the left channel and the agent on the right, decoded from G.711.
//
// The two legs' RTP arrive independently; each side's decoded samples wait in
// a small buffer and are written interleaved as soon as both sides have them
// (a payload that meets the other side's waiting samples is decoded straight
// into the interleaved output: one table lookup and one store per sample).
// A side that stops sending (hold, silence suppression, a lost leg) is padded
// with silence once the other side is more than `max_skew` samples ahead, so
// the channels stay aligned within that bound and nothing grows without limit.
//
// Pause (for card numbers and the like): audio arriving while paused is
// discarded before it is decoded, and never written; on resume, silence of the
// paused length is written so that the recording's timeline still matches the
// call (offsets in the file are offsets into the call). DTMF events (RFC 4733)
// are never recorded at all: only PCMU/PCMA payloads are.
//
// Plain C++ (no libre), unit-tested. Not thread-safe: one thread at a time
// (the media plane calls it under its session's lock, see media_plane.h).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "telephony/sdp.h"

namespace sb::telephony {

// After a crash a recording's header says 0 bytes of data although the
// samples are in the file. Sets the RIFF and data sizes from the file's size
// (whole stereo frames). Returns true if the file was repaired, false if it
// needed nothing; an error if it is not one of our WAV files or cannot be written.
Result<bool> repair_wav(const std::string& path);

// The length in seconds of one of our WAV files, from its header (data size
// over byte rate): what a recording holds once it was closed or repaired. A
// recording still being written says 0 (its sizes are patched when it stops).
// An error if the file cannot be read or is not one of our recordings.
Result<double> wav_seconds(const std::string& path);

class WavRecorder {
 public:
  enum class Side { kCaller = 0, kAgent = 1 };
  static constexpr int kRate = 8000;

  // Creates (truncates) `path`, creating its directory if needed.
  static Result<std::unique_ptr<WavRecorder>> open(const std::string& path, std::size_t max_skew = 1600);
  ~WavRecorder();  // close()s
  WavRecorder(const WavRecorder&) = delete;
  WavRecorder& operator=(const WavRecorder&) = delete;

  // One RTP payload from one side (G.711 bytes). Ignored while paused.
  void write(Side side, Codec codec, std::string_view payload);
  void pause(std::uint64_t now_ms);
  // Writes the silence that stands for the paused time, then records again.
  void resume(std::uint64_t now_ms);
  bool paused() const { return paused_; }
  // Flushes, pads the shorter side, patches the RIFF sizes and closes. Idempotent.
  void close();

  const std::string& path() const { return path_; }
  std::uint64_t frames_written() const { return frames_; }  // stereo sample frames

 private:
  // One side's decoded samples waiting for the other side's. Invariant: after
  // every write at most one side has any (what both have is written at once).
  struct Pending {
    std::vector<std::int16_t> s;
    std::size_t head = 0;  // s[head..] are waiting
    std::size_t size() const { return s.size() - head; }
    const std::int16_t* data() const { return s.data() + head; }
    void consume(std::size_t n);
    std::int16_t* append(std::size_t n);  // room for n more at the end
  };

  WavRecorder(std::string path, std::FILE* f, std::size_t max_skew);
  // Appends n stereo frames, left(i) and right(i) for i in [0, n).
  template <class Left, class Right>
  void frames(std::size_t n, Left left, Right right);
  // Writes `n` waiting frames of side `s`, the other side padded with silence.
  void pad(int s, std::size_t n);
  void flush();
  void patch_header();

  std::string path_;
  std::FILE* f_ = nullptr;
  std::size_t max_skew_;
  Pending pending_[2];
  std::unique_ptr<std::uint8_t[]> out_;  // interleaved frames not yet written
  std::size_t out_len_ = 0;
  std::uint64_t frames_ = 0;
  bool paused_ = false;
  std::uint64_t paused_at_ms_ = 0;
};

}  // namespace sb::telephony
