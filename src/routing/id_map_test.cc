// IdMap against std::map, with ids that share their low 32 bits (the cells
// hold only those; the full id comes from the owner's records), and
// SlotList against std::vector.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "routing/id_map.h"
#include "routing/slot_list.h"

namespace sb::routing {
namespace {

class IdMapModes : public ::testing::TestWithParam<bool> {};

TEST_P(IdMapModes, MatchesMapWithCollidingLowBits) {
  std::mt19937_64 rng(11);
  IdMap m(GetParam());  // with small_ids, the ids with a zero high half mostly go to the direct table
  std::map<std::int64_t, std::uint32_t> ref;
  std::vector<std::int64_t> id_of_slot;  // the owner's records
  std::vector<std::uint32_t> free_slots;
  auto id_of = [&](std::uint32_t s) { return id_of_slot[s]; };
  auto random_id = [&] {
    // Few distinct low halves, several high halves (negative ids included).
    std::int64_t low = static_cast<std::int64_t>(1 + rng() % 3000);
    std::int64_t high = static_cast<std::int64_t>(rng() % 5) - 2;
    std::int64_t id = static_cast<std::int64_t>((static_cast<std::uint64_t>(high) << 32) | static_cast<std::uint64_t>(low));
    return id == 0 ? std::int64_t{1} : id;
  };
  for (int step = 0; step < 200'000; ++step) {
    std::int64_t id = random_id();
    auto it = ref.find(id);
    ASSERT_EQ(m.find(id, id_of), it == ref.end() ? kNone : it->second);
    if (rng() % 100 < (step / 20'000 % 2 == 0 ? 60u : 30u)) {
      if (it != ref.end()) continue;
      std::uint32_t s;
      if (!free_slots.empty()) {
        s = free_slots.back();
        free_slots.pop_back();
        id_of_slot[s] = id;
      } else {
        s = static_cast<std::uint32_t>(id_of_slot.size());
        id_of_slot.push_back(id);
      }
      m.insert(id, s);
      ref[id] = s;
    } else if (it != ref.end()) {
      m.erase(id, id_of);
      free_slots.push_back(it->second);
      ref.erase(it);
    }
    ASSERT_EQ(m.size(), ref.size());
  }
  for (const auto& [id, s] : ref) ASSERT_EQ(m.find(id, id_of), s);
  EXPECT_EQ(m.find(0, id_of), kNone);
}

INSTANTIATE_TEST_SUITE_P(HashOnlyAndSmallIds, IdMapModes, ::testing::Bool());

TEST(SlotList, MatchesVectorAcrossTheInlineLimit) {
  std::mt19937 rng(5);
  SlotList l;
  std::vector<std::uint32_t> ref;
  for (int step = 0; step < 50'000; ++step) {
    const std::uint32_t v = static_cast<std::uint32_t>(rng() % 8);
    if (rng() % 2 == 0 && ref.size() < 7) {
      l.push_back(v);
      ref.push_back(v);
    } else {
      auto it = std::find(ref.begin(), ref.end(), v);
      ASSERT_EQ(l.erase(v), it != ref.end());
      if (it != ref.end()) ref.erase(it);
    }
    ASSERT_EQ(l.to_vector(), ref);
    ASSERT_EQ(l.contains(v), std::find(ref.begin(), ref.end(), v) != ref.end());
    if (step % 1000 == 999) {
      SlotList copy = l;
      ASSERT_EQ(copy.to_vector(), ref);
      l.clear();
      ref.clear();
    }
  }
}

}  // namespace
}  // namespace sb::routing
