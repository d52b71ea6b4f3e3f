// WaitList against std::set: random inserts (mostly in order, as arrivals),
// pops, erases and ranks, across many blocks.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "routing/wait_list.h"

namespace sb::routing {
namespace {

TEST(WaitList, MatchesOrderedSet) {
  std::mt19937_64 rng(7);
  WaitList w;
  std::set<WaitKey> ref;
  std::uint64_t seq = 0;
  std::int64_t clock = 0;
  auto random_key = [&] { return WaitKey{static_cast<int>(rng() % 3), static_cast<std::int64_t>(rng() % (clock + 1)), ++seq}; };
  for (int step = 0; step < 200'000; ++step) {
    const unsigned op = static_cast<unsigned>(rng() % 100);
    const bool grow = (step / 20'000) % 2 == 0;  // phases of growth and shrinkage
    if (op < (grow ? 55u : 25u)) {
      WaitKey k{0, ++clock, ++seq};  // in order
      w.insert(k, static_cast<std::uint32_t>(k.seq));
      ref.insert(k);
    } else if (op < (grow ? 70u : 40u)) {
      WaitKey k = random_key();
      w.insert(k, static_cast<std::uint32_t>(k.seq));
      ref.insert(k);
    } else if (op < 85 && !ref.empty()) {
      ASSERT_EQ(w.front().key, *ref.begin());
      w.pop_front();
      ref.erase(ref.begin());
    } else if (op < 95 && !ref.empty()) {
      auto it = ref.begin();
      std::advance(it, static_cast<long>(rng() % std::min<std::size_t>(ref.size(), 600)));
      if (rng() % 2) it = std::prev(ref.end());
      ASSERT_TRUE(w.erase(*it));
      ref.erase(it);
    } else {
      WaitKey k = random_key();
      ASSERT_FALSE(w.erase(k));
      ASSERT_EQ(w.rank(k), static_cast<std::size_t>(std::distance(ref.begin(), ref.lower_bound(k))));
    }
    ASSERT_EQ(w.size(), ref.size());
    ASSERT_EQ(w.empty(), ref.empty());
    if (!ref.empty()) {
      ASSERT_EQ(w.front().key, *ref.begin());
      ASSERT_EQ(w.front().slot, static_cast<std::uint32_t>(ref.begin()->seq));
    }
    if (step % 5'000 == 0) {
      std::vector<WaitKey> got;
      w.for_each([&](const WaitList::Entry& e) { got.push_back(e.key); });
      ASSERT_EQ(got, std::vector<WaitKey>(ref.begin(), ref.end()));
    }
  }
}

}  // namespace
}  // namespace sb::routing
