#pragma once
// The engine's timers: one min-heap ordered by (deadline, schedule order).
// Cancelling is lazy: every timer carries a token, the owner keeps the token
// of the live timer and drops popped timers whose token no longer matches.
#include <cstdint>
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
  // Returns the token of the new timer.
  std::uint64_t schedule(std::int64_t at, TimerKind kind, std::uint32_t slot) {
    std::uint64_t token = ++next_token_;
    heap_.push(Timer{at, ++order_, slot, token, kind});
    return token;
  }
  // A token that matches no timer (cancels the live one when stored).
  std::uint64_t fresh_token() { return ++next_token_; }
  bool empty() const { return heap_.empty(); }
  const Timer& top() const { return heap_.top(); }
  void pop() { heap_.pop(); }
  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  std::priority_queue<Timer, std::vector<Timer>, Later> heap_;
  std::uint64_t order_ = 0;
  std::uint64_t next_token_ = 0;
};

}  // namespace sb::routing
