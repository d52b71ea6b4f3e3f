#pragma once
// IdMap: public id (non-zero int64) -> engine slot (uint32), an open-addressing
// hash table with linear probing and backward-shift deletion (no tombstones).
// One flat array of 8-byte cells, no allocation per entry, load factor <= 1/2.
//
// A cell holds the slot and the id's low 32 bits (the hash is taken of those
// bits alone, so cells can be moved and rehashed without the full id). The
// full id lives in the owner's record: find() and erase() take `id_of(slot)`,
// the id of the record in `slot`, and call it only for cells whose low bits
// match. The caller reads that record next anyway, so the check costs no extra
// cache miss, and the table is half the size of one holding full ids.
//
// With `small_ids`, an id below 2 × size() + 1024 when it is inserted goes to a
// direct table instead (slot by id, 4 bytes each): configuration ids (agents,
// queues) are small and dense, so their lookups read one entry of a table
// that stays in cache. Ids that do not qualify use the hash table as usual.
//
// Contract: key 0 is never stored (ids are validated non-zero); find(0) is kNone.
// `id_of(slot)` must return the key the slot was inserted with while it is in
// the map. Iteration order is not offered, so hash order can never leak into
// decisions.
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "routing/wait_key.h"

namespace sb::routing {

class IdMap {
 public:
  explicit IdMap(bool small_ids = false) : small_ids_(small_ids) {}

  template <class IdOf>
  std::uint32_t find(std::int64_t key, const IdOf& id_of) const {
    if (in_direct_range(key) && direct_[static_cast<std::size_t>(key)] != kNone)
      return direct_[static_cast<std::size_t>(key)];
    if (key == 0 || cells_.empty()) return kNone;
    const std::uint32_t low = low_bits(key);
    for (std::size_t i = home(low);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.slot == kNone) return kNone;
      if (c.low == low && id_of(c.slot) == key) return c.slot;
    }
  }

  // Precondition: `key` is not in the map.
  void insert(std::int64_t key, std::uint32_t slot) {
    assert(key != 0 && slot != kNone);
    if (small_ids_ && key > 0 && static_cast<std::uint64_t>(key) < 2 * size_ + 1024) {
      const auto k = static_cast<std::size_t>(key);
      if (k >= direct_.size()) direct_.resize(std::max(k + 1, 2 * direct_.size()), kNone);
      assert(direct_[k] == kNone);
      direct_[k] = slot;
      ++size_;
      return;
    }
    if ((size_ + 1) * 2 > cells_.size()) grow();
    place(Cell{low_bits(key), slot});
    ++size_;
  }

  template <class IdOf>
  void erase(std::int64_t key, const IdOf& id_of) {
    if (in_direct_range(key) && direct_[static_cast<std::size_t>(key)] != kNone) {
      direct_[static_cast<std::size_t>(key)] = kNone;
      --size_;
      return;
    }
    if (key == 0 || cells_.empty()) return;
    const std::uint32_t low = low_bits(key);
    std::size_t i = home(low);
    while (!(cells_[i].low == low && cells_[i].slot != kNone && id_of(cells_[i].slot) == key)) {
      if (cells_[i].slot == kNone) return;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later cells of the probe run into the hole when their home allows it.
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (cells_[j].slot == kNone) break;
      std::size_t h = home(cells_[j].low);
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
    std::uint32_t low = 0;
    std::uint32_t slot = kNone;  // kNone: empty cell
  };

  bool in_direct_range(std::int64_t key) const {
    return key > 0 && static_cast<std::uint64_t>(key) < direct_.size();
  }

  static std::uint32_t low_bits(std::int64_t key) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(key)); }

  std::size_t home(std::uint32_t low) const {
    return static_cast<std::size_t>((std::uint64_t{low} * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }

  void place(const Cell& c) {
    std::size_t i = home(c.low);
    while (cells_[i].slot != kNone) i = (i + 1) & mask_;
    cells_[i] = c;
  }

  void grow() {
    std::vector<Cell> old = std::move(cells_);
    std::size_t n = old.empty() ? 64 : old.size() * 2;
    cells_.assign(n, Cell{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t k = n; k > 1; k >>= 1) --shift_;
    for (const Cell& c : old)
      if (c.slot != kNone) place(c);
  }

  bool small_ids_ = false;
  std::vector<std::uint32_t> direct_;  // slot by id (kNone: not here)
  std::vector<Cell> cells_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace sb::routing
