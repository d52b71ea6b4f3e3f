#include "telephony/timer_heap.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

namespace sb::telephony {
namespace {

struct Item {
  int id = 0;
  std::size_t slot = 0;
};
struct ItemSlot {
  static std::size_t get(const Item& i) { return i.slot; }
  static void set(Item& i, std::size_t s) { i.slot = s; }
};
using Heap = TimerHeap<Item, ItemSlot>;

// Pops everything due at `now`, returning the ids in order.
std::vector<int> drain(Heap& h, std::uint64_t now) {
  std::vector<int> out;
  while (Item* i = h.pop_due(now)) out.push_back(i->id);
  return out;
}

TEST(TimerHeap, PopsByDueTime) {
  std::vector<Item> items{{0}, {1}, {2}, {3}, {4}};
  Heap h;
  const std::uint64_t due[] = {50, 10, 40, 20, 30};
  for (int k = 0; k < 5; ++k) h.push(items[k], due[k]);
  EXPECT_EQ(h.size(), 5u);
  EXPECT_EQ(h.top(), &items[1]);
  EXPECT_EQ(h.top_due(), 10u);
  EXPECT_EQ(drain(h, 35), (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(drain(h, 100), (std::vector<int>{2, 0}));
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.top(), nullptr);
  for (const Item& i : items) EXPECT_EQ(i.slot, 0u);
}

TEST(TimerHeap, EqualDueTimesPopInPushOrder) {
  std::vector<Item> items(100);
  Heap h;
  for (int k = 0; k < 100; ++k) {
    items[k].id = k;
    h.push(items[k], 7);
  }
  std::vector<int> want(100);
  for (int k = 0; k < 100; ++k) want[k] = k;
  EXPECT_EQ(drain(h, 7), want);
}

TEST(TimerHeap, EraseFromAnywhere) {
  std::vector<Item> items(8);
  Heap h;
  for (int k = 0; k < 8; ++k) {
    items[k].id = k;
    h.push(items[k], 100 - k);  // 7 is the earliest
  }
  h.erase(items[7]);  // the top
  h.erase(items[0]);  // the latest (a leaf)
  h.erase(items[4]);  // somewhere inside
  EXPECT_FALSE(h.contains(items[4]));
  EXPECT_EQ(items[4].slot, 0u);
  EXPECT_TRUE(h.contains(items[5]));
  EXPECT_EQ(drain(h, 1000), (std::vector<int>{6, 5, 3, 2, 1}));
}

TEST(TimerHeap, ContainsIsFalseForAnotherHeapsTimer) {
  Item a{1}, b{2};
  Heap one, two;
  one.push(a, 5);
  two.push(b, 5);
  EXPECT_TRUE(one.contains(a));
  EXPECT_FALSE(two.contains(a));  // same slot number, other item
  Item c{3};
  EXPECT_FALSE(one.contains(c));
}

TEST(TimerHeap, SomethingPushedWhileDrainingComesOutInTheSameLoop) {
  Item a{1}, b{2}, c{3};
  Heap h;
  h.push(a, 10);
  h.push(c, 11);
  std::vector<int> fired;
  while (Item* i = h.pop_due(10)) {
    fired.push_back(i->id);
    if (i == &a) {
      h.push(b, 10);  // "delay 0" at the same now
      h.push(a, 30);  // restarts itself
    }
  }
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.top(), &c);
}

// 100,000 random pushes, erases, re-pushes and clock advances against a
// std::multimap keyed by (due, push order): the same timers come out in the
// same order.
TEST(TimerHeap, MatchesAReferenceModel) {
  constexpr int kItems = 2000;
  std::vector<Item> items(kItems);
  for (int k = 0; k < kItems; ++k) items[k].id = k;
  Heap h;
  std::multimap<std::pair<std::uint64_t, std::uint64_t>, int> model;
  std::vector<std::multimap<std::pair<std::uint64_t, std::uint64_t>, int>::iterator> where(kItems, model.end());
  std::mt19937_64 rng(42);
  std::uint64_t now = 1000, seq = 0;
  std::size_t fired = 0;
  for (int op = 0; op < 100'000; ++op) {
    int k = static_cast<int>(rng() % kItems);
    unsigned r = rng() % 100;
    if (r < 45) {  // start (restart if running), delays with many ties
      if (where[k] != model.end()) {
        h.erase(items[k]);
        model.erase(where[k]);
      }
      std::uint64_t due = now + (rng() % 4 == 0 ? 0 : rng() % 64);
      h.push(items[k], due);
      where[k] = model.emplace(std::make_pair(due, seq++), k);
    } else if (r < 75) {  // cancel
      if (where[k] != model.end()) {
        h.erase(items[k]);
        model.erase(where[k]);
        where[k] = model.end();
      }
    } else {  // time passes: both fire what is due
      now += rng() % 8;
      std::vector<int> want;
      while (!model.empty() && model.begin()->first.first <= now) {
        want.push_back(model.begin()->second);
        where[model.begin()->second] = model.end();
        model.erase(model.begin());
      }
      ASSERT_EQ(drain(h, now), want) << "at operation " << op;
      fired += want.size();
    }
    ASSERT_EQ(h.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(h.top_due(), model.begin()->first.first);
    }
  }
  EXPECT_GT(fired, 10'000u);
}

}  // namespace
}  // namespace sb::telephony
