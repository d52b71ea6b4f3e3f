#pragma once
// WaitList: waiting interactions in WaitKey order (a bucket's, or a queue's
// targeted ones), as a short vector of sorted blocks of at most kBlock
// entries. Flat storage: no per-entry allocation, and the entries an agent
// is offered next are adjacent in memory.
//
//   front, pop_front           O(1) (the first block keeps a dead prefix,
//                              compacted when it reaches half the block)
//   insert                     O(1) amortised when the key is the largest (the
//                              usual case: arrivals in order), else
//                              O(log blocks + kBlock) (binary search, memmove)
//   erase(key)                 O(log blocks + kBlock); false if absent
//   rank(key)                  entries with a smaller key: O(blocks + log kBlock)
//
// Keys are unique (WaitKey::seq). Contract: erase/rank take keys, not
// positions; iteration (for_each) is in order and must not modify the list.
//
// The list caches where its first entry is (and where the first block ends),
// so that reading and popping the head read the list object and the entry
// only, not the block table in between: one cache miss fewer per offer.
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "routing/wait_key.h"

namespace sb::routing {

class WaitList {
 public:
  struct Entry {
    WaitKey key;
    std::uint32_t slot = kNone;  // interaction slot
  };
  static constexpr std::size_t kBlock = 256;

  WaitList() = default;
  WaitList(const WaitList& o) : blocks_(o.blocks_), head_(o.head_), size_(o.size_) { sync_front(); }
  WaitList(WaitList&& o) noexcept
      : blocks_(std::move(o.blocks_)), head_(o.head_), size_(o.size_), front_(o.front_), front_end_(o.front_end_) {
    o.blocks_.clear();
    o.head_ = o.size_ = 0;
    o.front_ = o.front_end_ = nullptr;
  }
  WaitList& operator=(WaitList o) noexcept {
    std::swap(blocks_, o.blocks_);
    std::swap(head_, o.head_);
    std::swap(size_, o.size_);
    std::swap(front_, o.front_);
    std::swap(front_end_, o.front_end_);
    return *this;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const Entry& front() const {
    assert(size_ > 0 && front_ == &blocks_.front()[head_]);
    return *front_;
  }

  // Where the entry after the first one is, when it is in the first block
  // (else null). A hint for prefetching: any later change may move it.
  const Entry* second_hint() const { return size_ > 1 && front_ + 1 < front_end_ ? front_ + 1 : nullptr; }

  void pop_front() {
    assert(size_ > 0);
    --size_;
    ++head_;
    if (++front_ == front_end_) drop_block(0);  // syncs
  }

  void insert(const WaitKey& k, std::uint32_t slot) {
    ++size_;
    if (blocks_.empty()) blocks_.emplace_back();
    std::vector<Entry>* last = &blocks_.back();
    if (last->empty() || last->back().key < k) {  // appended in order
      if (last->size() >= kBlock) last = make_room(blocks_.size() - 1, true);
      last->push_back(Entry{k, slot});
      sync_front();
      return;
    }
    std::size_t b = block_of(k);
    assert(b < blocks_.size());
    if (blocks_[b].size() >= kBlock) {
      make_room(b, false);
      b = block_of(k);
    }
    std::vector<Entry>& v = blocks_[b];
    auto it = std::lower_bound(v.begin() + begin_of(b), v.end(), k, KeyLess{});
    assert(it == v.end() || !(it->key == k));
    v.insert(it, Entry{k, slot});
    sync_front();
  }

  bool erase(const WaitKey& k) {
    std::size_t b = block_of(k);
    if (b == blocks_.size()) return false;
    std::vector<Entry>& v = blocks_[b];
    auto it = std::lower_bound(v.begin() + begin_of(b), v.end(), k, KeyLess{});
    if (it == v.end() || !(it->key == k)) return false;
    if (b == 0 && it == v.begin() + static_cast<std::ptrdiff_t>(head_)) {
      pop_front();
      return true;
    }
    --size_;
    v.erase(it);
    if (v.size() == begin_of(b)) drop_block(b);
    sync_front();
    return true;
  }

  std::size_t rank(const WaitKey& k) const {
    std::size_t n = 0;
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
      const std::vector<Entry>& v = blocks_[b];
      if (v.empty()) break;
      if (v.back().key < k) {
        n += v.size() - begin_of(b);
        continue;
      }
      auto start = v.begin() + begin_of(b);
      return n + static_cast<std::size_t>(std::lower_bound(start, v.end(), k, KeyLess{}) - start);
    }
    return n;
  }

  template <class F>
  void for_each(const F& f) const {  // f(const Entry&), in order
    for (std::size_t b = 0; b < blocks_.size(); ++b)
      for (std::size_t j = begin_of(b); j < blocks_[b].size(); ++j) f(blocks_[b][j]);
  }

 private:
  struct KeyLess {
    bool operator()(const Entry& e, const WaitKey& k) const { return e.key < k; }
  };

  std::size_t begin_of(std::size_t b) const { return b == 0 ? head_ : 0; }

  // First block whose largest key is >= k (blocks_.size() if none).
  std::size_t block_of(const WaitKey& k) const {
    auto it = std::partition_point(blocks_.begin(), blocks_.end(),
                                   [&](const std::vector<Entry>& v) { return !v.empty() && v.back().key < k; });
    return static_cast<std::size_t>(it - blocks_.begin());
  }

  // Block b is full. Either compacts the first block's dead prefix (when it is
  // at least half the block) or splits b in two halves. Returns the block that
  // now ends the old block b's key range (for appends to the last block).
  std::vector<Entry>* make_room(std::size_t b, bool appending) {
    std::vector<Entry>& v = blocks_[b];
    if (b == 0 && head_ >= kBlock / 2) {
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
      return &blocks_[b];
    }
    std::size_t from = begin_of(b);
    // Appending in order: leave b full and start an empty block (no move).
    std::size_t mid = appending ? v.size() : from + (v.size() - from) / 2;
    std::vector<Entry> upper(v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    upper.reserve(appending ? 16 : kBlock);
    v.resize(mid);
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
    return &blocks_[b + 1];
  }

  // Block b has no live entry left. The last remaining block is kept (empty)
  // so that its capacity is reused.
  void drop_block(std::size_t b) {
    if (b == 0) head_ = 0;
    if (blocks_.size() == 1)
      blocks_.front().clear();
    else
      blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    sync_front();
  }

  // Call after every change to blocks_ or head_.
  void sync_front() {
    if (size_ == 0) {
      front_ = front_end_ = nullptr;
      return;
    }
    const std::vector<Entry>& v = blocks_.front();
    front_ = v.data() + head_;
    front_end_ = v.data() + v.size();
  }

  std::vector<std::vector<Entry>> blocks_;  // non-empty, except one empty block when size_ == 0
  std::size_t head_ = 0;                    // dead prefix of blocks_[0]
  std::size_t size_ = 0;
  const Entry* front_ = nullptr;            // &blocks_[0][head_] while size_ > 0
  const Entry* front_end_ = nullptr;        // blocks_[0].data() + blocks_[0].size()
};

}  // namespace sb::routing
