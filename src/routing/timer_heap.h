#pragma once
// The engine's timers, ordered by (deadline, schedule order).
//
// Most timers are "now + a fixed duration" (offer time-out, wrap-up, max
// wait), and `now` never goes back, so the timers of one duration arrive in
// deadline order: they go to a FIFO lane per duration (O(1) push and pop).
// A timer that would break its lane's order (or has no duration class, like
// relaxation steps measured from an earlier queue entry) goes to a binary
// heap. top() is the minimum over the heap and the lane fronts, so the order
// is exactly that of one heap.
//
// Cancelling is lazy: every timer carries a token, the owner keeps the token
// of the live timer and drops popped timers whose token no longer matches.
#include <cstdint>
#include <deque>
#include <queue>
#include <vector>

namespace sb::routing {

enum class TimerKind : std::uint8_t { kOfferTimeout, kRelax, kMaxWait, kWrapUp };
inline constexpr int kTimerKinds = 4;

struct Timer {
  std::int64_t at = 0;  // micros
  std::uint64_t order = 0;
  std::uint32_t slot = 0;   // interaction slot
  std::uint64_t token = 0;
  TimerKind kind{};
};

class TimerHeap {
 public:
  // Returns the token of the new timer. `duration` (micros, 0 = none) names
  // the lane a timer due at "now + duration" may join.
  std::uint64_t schedule(std::int64_t at, TimerKind kind, std::uint32_t slot, std::int64_t duration = 0) {
    std::uint64_t token = ++next_token_;
    Timer t{at, ++order_, slot, token, kind};
    if (Lane* lane = lane_for(duration); lane && (lane->fifo.empty() || lane->fifo.back().at <= at))
      lane->fifo.push_back(t);
    else
      heap_.push(t);
    return token;
  }
  // A token that matches no timer (cancels the live one when stored).
  std::uint64_t fresh_token() { return ++next_token_; }
  bool empty() const { return size() == 0; }
  const Timer& top() const {
    const Timer* best = heap_.empty() ? nullptr : &heap_.top();
    for (const Lane& l : lanes_)
      if (!l.fifo.empty() && (!best || Later{}(*best, l.fifo.front()))) best = &l.fifo.front();
    return *best;
  }
  void pop() {
    const Timer* t = &top();
    if (!heap_.empty() && t == &heap_.top()) {
      heap_.pop();
      return;
    }
    for (Lane& l : lanes_)
      if (!l.fifo.empty() && t == &l.fifo.front()) {
        l.fifo.pop_front();
        return;
      }
  }
  std::size_t size() const {
    std::size_t n = heap_.size();
    for (const Lane& l : lanes_) n += l.fifo.size();
    return n;
  }

 private:
  static constexpr std::size_t kMaxLanes = 8;  // distinct durations beyond this use the heap
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  struct Lane {
    std::int64_t duration = 0;
    std::deque<Timer> fifo;  // deadline order
  };
  Lane* lane_for(std::int64_t duration) {
    if (duration <= 0) return nullptr;
    for (Lane& l : lanes_)
      if (l.duration == duration) return &l;
    if (lanes_.size() == kMaxLanes) return nullptr;
    lanes_.push_back(Lane{duration, {}});
    return &lanes_.back();
  }

  std::priority_queue<Timer, std::vector<Timer>, Later> heap_;
  std::vector<Lane> lanes_;
  std::uint64_t order_ = 0;
  std::uint64_t next_token_ = 0;
};

}  // namespace sb::routing
