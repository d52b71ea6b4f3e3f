#pragma once
// A binary min-heap of timers, ordered by due time and, among equal due
// times, by the order they were pushed (FIFO). It is the structure behind
// libre_timers.cc (libre's tmr_* replaced), kept free of libre so that it is
// unit-tested on its own, also under the sanitizers.
//
// The heap does not own the timers. Each timer T stores its own position
// (through Slot, see below), so erase() needs no search: push, erase and
// pop are O(log n), top() is O(1).
//
// Slot is a type with
//   static std::size_t get(const T&);          // 0: not in a heap
//   static void set(T&, std::size_t slot);     // slot = index + 1, 0 on removal
// A T must start with get() == 0 (e.g. zero-initialised) and must stay at
// its address while it is in the heap.
//
// Not thread-safe: one heap per thread, touched by that thread only.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sb::telephony {

template <class T, class Slot>
class TimerHeap {
 public:
  std::size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }

  // The earliest timer, nullptr when empty.
  T* top() const { return heap_.empty() ? nullptr : heap_.front().item; }
  // Its due time. Precondition: !empty().
  std::uint64_t top_due() const {
    assert(!heap_.empty());
    return heap_.front().due;
  }

  // True when t is in this heap (false for a timer of another heap).
  bool contains(const T& t) const {
    std::size_t s = Slot::get(t);
    return s != 0 && s <= heap_.size() && heap_[s - 1].item == &t;
  }

  // Precondition: t is in no heap.
  void push(T& t, std::uint64_t due) {
    assert(Slot::get(t) == 0);
    heap_.push_back({});
    sift_up(heap_.size() - 1, Entry{due, next_seq_++, &t});
  }

  // Precondition: contains(t). Afterwards Slot::get(t) == 0.
  void erase(T& t) {
    assert(contains(t));
    remove_at(Slot::get(t) - 1);
  }

  // Removes and returns the earliest timer if it is due at `now` (due <= now),
  // else nullptr. Called in a loop it yields what is due in order, and sees
  // timers pushed meanwhile (one pushed with due <= now comes out in the same
  // loop).
  T* pop_due(std::uint64_t now) {
    if (heap_.empty() || heap_.front().due > now) return nullptr;
    T* t = heap_.front().item;
    remove_at(0);
    return t;
  }

  // Calls fn(T&, due) for every timer, in no particular order (diagnostics).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Entry& e : heap_) fn(*e.item, e.due);
  }

 private:
  struct Entry {
    std::uint64_t due = 0;
    std::uint64_t seq = 0;  // push order: ties in `due` pop first-in first-out
    T* item = nullptr;
  };

  static bool before(const Entry& a, const Entry& b) {
    return a.due < b.due || (a.due == b.due && a.seq < b.seq);
  }
  void remove_at(std::size_t i) {
    Slot::set(*heap_[i].item, 0);
    Entry last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;  // it was the last entry
    if (i > 0 && before(last, heap_[(i - 1) / 2])) sift_up(i, last);
    else sift_down(i, last);
  }
  void place(std::size_t i, const Entry& e) {
    heap_[i] = e;
    Slot::set(*e.item, i + 1);
  }
  // Puts e at hole i or above it.
  void sift_up(std::size_t i, const Entry& e) {
    while (i > 0) {
      std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, e);
  }
  // Puts e at hole i or below it.
  void sift_down(std::size_t i, const Entry& e) {
    const std::size_t n = heap_.size();
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sb::telephony
