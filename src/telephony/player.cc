#include "telephony/player.h"

#include <algorithm>
#include <cassert>

#include "telephony/g711.h"

namespace sb::telephony {

namespace {

std::uint8_t encode(Codec codec, std::int16_t s) {
  return codec == Codec::kPcma ? linear_to_alaw(s) : linear_to_ulaw(s);
}

}  // namespace

Player::Player(const MohAudio* music) : music_(music) { buf_.reserve(kFrameSamples); }

void Player::enqueue(Clip clip) { queue_.push_back(std::move(clip)); }

void Player::enqueue(std::span<const Clip> clips) {
  for (const Clip& c : clips) enqueue(c);
}

void Player::clear() {
  queue_.clear();
  offset_ = 0;
  drained_ = false;
}

std::string_view Player::next_frame(Codec codec) {
  bool had_prompt = !queue_.empty();
  while (!queue_.empty() && queue_.front().size() == 0) queue_.pop_front();
  if (!queue_.empty()) {
    std::span<const std::int16_t> s = queue_.front().samples();
    assert(offset_ < s.size());
    std::size_t n = std::min(kFrameSamples, s.size() - offset_);
    buf_.clear();
    for (std::size_t i = 0; i < n; ++i) buf_.push_back(static_cast<char>(encode(codec, s[offset_ + i])));
    buf_.append(kFrameSamples - n, static_cast<char>(encode(codec, 0)));
    offset_ += n;
    if (offset_ == s.size()) {
      queue_.pop_front();
      offset_ = 0;
      if (queue_.empty()) drained_ = true;
    }
    return buf_;
  }
  if (had_prompt) drained_ = true;  // the playlist held only empty clips
  if (music_) return music_->frame(music_frame_++, codec);
  buf_.assign(kFrameSamples, static_cast<char>(encode(codec, 0)));
  return buf_;
}

bool Player::take_drained() {
  bool d = drained_;
  drained_ = false;
  return d;
}

}  // namespace sb::telephony
