#pragma once
// SlotList: a short list of engine slots (uint32) that keeps up to kInline of
// them inside the owning record, so that the usual case (an agent holding one
// call or up to three chats, an offer to one agent) reads and writes no
// memory outside the record. Longer lists (ring-all offers, agents with a
// large capacity) move to a heap vector that is kept, with its capacity, for
// the record's lifetime. 24 bytes, like a std::vector.
//
// Order is insertion order; erase keeps the order of the rest.
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::routing {

class SlotList {
 public:
  static constexpr std::uint32_t kInline = 3;

  SlotList() = default;
  SlotList(const SlotList& o) { assign(o.begin(), o.end()); }
  SlotList& operator=(const SlotList& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SlotList(SlotList&&) noexcept = default;
  SlotList& operator=(SlotList&&) noexcept = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::uint32_t* begin() const { return size_ <= kInline ? inline_ : spill_->data(); }
  const std::uint32_t* end() const { return begin() + size_; }
  std::uint32_t front() const {
    assert(size_ > 0);
    return *begin();
  }
  bool contains(std::uint32_t s) const { return std::find(begin(), end(), s) != end(); }

  void clear() { size_ = 0; }

  void push_back(std::uint32_t s) {
    if (size_ < kInline) {
      inline_[size_++] = s;
      return;
    }
    if (size_ == kInline) {  // moving out: the spill vector holds every entry from now on
      if (!spill_) spill_ = std::make_unique<std::vector<std::uint32_t>>();
      spill_->assign(inline_, inline_ + kInline);
    }
    spill_->push_back(s);
    ++size_;
  }

  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }

  // Removes the first occurrence of `s`; false when absent.
  bool erase(std::uint32_t s) {
    if (size_ <= kInline) {
      std::uint32_t* e = std::find(inline_, inline_ + size_, s);
      if (e == inline_ + size_) return false;
      std::copy(e + 1, inline_ + size_, e);
      --size_;
      return true;
    }
    auto it = std::find(spill_->begin(), spill_->end(), s);
    if (it == spill_->end()) return false;
    spill_->erase(it);
    if (--size_ == kInline) std::copy(spill_->begin(), spill_->end(), inline_);  // back inside
    return true;
  }

  std::vector<std::uint32_t> to_vector() const { return {begin(), end()}; }

 private:
  std::uint32_t size_ = 0;
  std::uint32_t inline_[kInline] = {};
  // Every entry while size_ > kInline (holds stale entries, or none, otherwise).
  std::unique_ptr<std::vector<std::uint32_t>> spill_;
};

}  // namespace sb::routing
