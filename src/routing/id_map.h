#pragma once
// IdMap: public id (non-zero int64) -> engine slot (uint32), an open-addressing
// hash table with linear probing and backward-shift deletion (no tombstones).
// One flat array of 16-byte cells, no allocation per entry, load factor <= 1/2.
//
// Contract: key 0 is never stored (ids are validated non-zero); find(0) is kNone.
// Iteration order is not offered, so hash order can never leak into decisions.
#include <cassert>
#include <cstdint>
#include <vector>

#include "routing/wait_key.h"

namespace sb::routing {

class IdMap {
 public:
  std::uint32_t find(std::int64_t key) const {
    if (key == 0 || cells_.empty()) return kNone;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.key == key) return c.slot;
      if (c.key == 0) return kNone;
    }
  }

  // Inserts or overwrites.
  void put(std::int64_t key, std::uint32_t slot) {
    assert(key != 0);
    if ((size_ + 1) * 2 > cells_.size()) grow();
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Cell& c = cells_[i];
      if (c.key == key) {
        c.slot = slot;
        return;
      }
      if (c.key == 0) {
        c = Cell{key, slot};
        ++size_;
        return;
      }
    }
  }

  void erase(std::int64_t key) {
    if (key == 0 || cells_.empty()) return;
    std::size_t i = home(key);
    while (cells_[i].key != key) {
      if (cells_[i].key == 0) return;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later cells of the probe run into the hole when their home allows it.
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (cells_[j].key == 0) break;
      std::size_t h = home(cells_[j].key);
      // cells_[j] may move to i when i lies cyclically in [h, j).
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        cells_[i] = cells_[j];
        i = j;
      }
    }
    cells_[i] = Cell{};
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Cell {
    std::int64_t key = 0;
    std::uint32_t slot = kNone;
  };

  std::size_t home(std::int64_t key) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }

  void grow() {
    std::vector<Cell> old = std::move(cells_);
    std::size_t n = old.empty() ? 64 : old.size() * 2;
    cells_.assign(n, Cell{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t k = n; k > 1; k >>= 1) --shift_;
    size_ = 0;
    for (const Cell& c : old)
      if (c.key != 0) put(c.key, c.slot);
  }

  std::vector<Cell> cells_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace sb::routing
