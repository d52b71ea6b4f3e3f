// Scenarios for submit(): group commit on the writer thread.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <thread>

#include "store/store_fixture_for_test.h"

namespace sb::store {
namespace {

EventRecord numbered(int n) {
  EventRecord e;
  e.type = "test.numbered";
  e.at = at_s(n);
  e.data_json = "{\"n\":" + std::to_string(n) + "}";
  return e;
}

// A batch that fails: the second user violates users.login uniqueness.
WriteBatch failing_batch() {
  UserRecord a;
  a.id = UserId(1001);
  a.login = "dup";
  UserRecord b = a;
  b.id = UserId(1002);
  WriteBatch batch;
  batch.ops = {numbered(-1), a, b};
  return batch;
}

TEST_F(StoreTest, ManyThreadsSubmittingConcurrentlyAllCommitAndEachDoneRunsOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::atomic<int> failures{0};
  std::atomic<int> finished{0};
  std::promise<void> all_done;
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        store_->submit(batch_of(numbered(n)), [&, n](Status s) {
          if (!s.ok()) failures++;
          calls[n]++;
          if (++finished == kThreads * kPerThread) all_done.set_value();
        });
      }
    });
  for (auto& p : producers) p.join();
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);

  EXPECT_EQ(failures, 0);
  for (int n = 0; n < kThreads * kPerThread; ++n) ASSERT_EQ(calls[n], 1) << "done for batch " << n;
  EXPECT_EQ(store_->event_count(), kThreads * kPerThread);
  const auto stats = store_->group_commit_stats();
  EXPECT_EQ(stats.batches, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.groups, stats.batches) << "some batches shared a transaction";
}

TEST_F(StoreTest, AFailingBatchInAGroupFailsAloneAndTheOthersCommit) {
  // Hold the writer inside a done callback so the next three batches queue up and form one group.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> writer_blocked;
  store_->submit(batch_of(numbered(0)), [&](Status) {
    writer_blocked.set_value();
    released.wait();
  });
  writer_blocked.get_future().wait();
  const auto before = store_->group_commit_stats();

  std::promise<Status> first, bad, last;
  store_->submit(batch_of(numbered(1)), [&](Status s) { first.set_value(s); });
  store_->submit(failing_batch(), [&](Status s) { bad.set_value(s); });
  store_->submit(batch_of(numbered(2)), [&](Status s) { last.set_value(s); });
  release.set_value();

  Status s1 = first.get_future().get();
  Status s2 = bad.get_future().get();
  Status s3 = last.get_future().get();
  EXPECT_TRUE(s1.ok());
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(s2.error().message.find("users.login"), std::string::npos) << s2.error().message;
  EXPECT_TRUE(s3.ok());

  const auto after = store_->group_commit_stats();
  EXPECT_EQ(after.groups - before.groups, 1u) << "the three batches ran as one group";
  EXPECT_EQ(after.batches - before.batches, 3u);

  std::vector<std::string> data;
  for (const auto& e : store_->events({})) data.push_back(e.data_json);
  EXPECT_EQ(data, (std::vector<std::string>{R"({"n":0})", R"({"n":1})", R"({"n":2})"}))
      << "the bad batch's own event was rolled back, the others kept";
  EXPECT_FALSE(store_->user(UserId(1001)).has_value());
}

TEST_F(StoreTest, DoneMayCallCommitAndSubmit) {
  std::promise<Status> inner_commit, inner_submit;
  store_->submit(batch_of(numbered(1)), [&](Status) {
    inner_commit.set_value(store_->commit(batch_of(numbered(2))));
    store_->submit(batch_of(numbered(3)), [&](Status s) { inner_submit.set_value(s); });
  });
  EXPECT_TRUE(inner_commit.get_future().get().ok());
  EXPECT_TRUE(inner_submit.get_future().get().ok());
  EXPECT_EQ(store_->event_count(), 3);
}

TEST_F(StoreTest, DestructorDrainsPendingBatches) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 300; ++i)
    store_->submit(batch_of(numbered(i)), [&](Status s) { if (s.ok()) ok++; });
  store_.reset();
  EXPECT_EQ(ok, 300);
  reopen();
  EXPECT_EQ(store_->event_count(), 300);
}

TEST_F(StoreTest, SubmittedAndCommittedEventsGetStrictlyIncreasingSeq) {
  std::atomic<int> pending{100};
  std::promise<void> done;
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 0) {
      ASSERT_TRUE(store_->commit(batch_of(numbered(1000 + i))).ok());
    }
    store_->submit(batch_of(numbered(i)), [&](Status) { if (--pending == 0) done.set_value(); });
  }
  done.get_future().wait();
  EventQuery q;
  q.limit = 1000;
  auto all = store_->events(q);
  ASSERT_EQ(all.size(), 110u);
  for (std::size_t i = 1; i < all.size(); ++i) ASSERT_LT(all[i - 1].seq, all[i].seq);
}

}  // namespace
}  // namespace sb::store
