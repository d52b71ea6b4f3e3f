// Durable event appends per second on the SQLite store (synchronous=FULL,
// WAL): submit() group commit from N concurrent producers, each waiting for
// its own acknowledgement before sending the next, versus commit() one by one.
//
//   store_bench [--dir=PATH] [benchmark flags]
//
// PATH must be on the disk you want to measure (default $TMPDIR or /tmp; a
// tmpfs would make fsync free and the figures meaningless).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <semaphore>
#include <string>

#include "store/sqlite_store.h"

namespace {

sb::store::SqliteStore* g_store = nullptr;

sb::store::WriteBatch event_batch(std::int64_t n) {
  sb::store::EventRecord e;
  e.type = "agent.state";
  e.at = sb::from_micros(1'700'000'000'000'000 + n);
  e.agent = sb::AgentId(1 + n % 50);
  e.queue = sb::QueueId(1 + n % 5);
  e.data_json = R"({"from":"ready","to":"busy","reason":""})";
  sb::store::WriteBatch b;
  b.ops.push_back(std::move(e));
  return b;
}

// One producer per benchmark thread: submit, wait for `done`, repeat.
void BM_SubmitGroupCommit(benchmark::State& state) {
  std::binary_semaphore acked(0);
  std::int64_t n = state.thread_index() * 1'000'000'000LL;
  const auto before = g_store->group_commit_stats();
  bool failed = false;
  for (auto _ : state) {
    g_store->submit(event_batch(n++), [&](sb::Status s) {
      if (!s.ok()) failed = true;
      acked.release();
    });
    acked.acquire();
  }
  if (failed) state.SkipWithError("a submit() failed");
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    const auto after = g_store->group_commit_stats();
    const double groups = static_cast<double>(after.groups - before.groups);
    if (groups > 0) state.counters["batches/group"] = static_cast<double>(after.batches - before.batches) / groups;
  }
}
BENCHMARK(BM_SubmitGroupCommit)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->MinTime(2.0);

// commit(): one transaction and one fsync per event.
void BM_CommitOneByOne(benchmark::State& state) {
  std::int64_t n = 9'000'000'000LL + state.thread_index() * 1'000'000'000LL;
  for (auto _ : state) {
    sb::Status s = g_store->commit(event_batch(n++));
    if (!s.ok()) {
      state.SkipWithError(s.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommitOneByOne)->Threads(1)->Threads(8)->UseRealTime()->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string base;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--dir=", 0) == 0) base = arg.substr(6);
    else {
      std::fprintf(stderr, "store_bench: unknown argument %s\n", argv[i]);
      return 1;
    }
  }
  if (base.empty()) base = std::getenv("TMPDIR") && *std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string dir = base + "/sb-store-bench-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror(("store_bench: mkdtemp in " + base).c_str());
    return 1;
  }
  int rc = 0;
  {
    auto store = sb::store::SqliteStore::open(dir + "/bench.db");  // synchronous=FULL by default
    if (!store.ok() || !(*store)->migrate().ok()) {
      std::fprintf(stderr, "store_bench: cannot open a store in %s\n", dir.c_str());
      rc = 1;
    } else {
      std::printf("store_bench: database %s/bench.db (WAL, synchronous=FULL)\n", dir.c_str());
      g_store = store->get();
      benchmark::RunSpecifiedBenchmarks();
      const auto stats = g_store->group_commit_stats();
      std::printf("store_bench: %lld events durable; submit(): %llu batches in %llu group commits (largest %llu)\n",
                  static_cast<long long>(g_store->event_count()), static_cast<unsigned long long>(stats.batches),
                  static_cast<unsigned long long>(stats.groups), static_cast<unsigned long long>(stats.largest_group));
      g_store = nullptr;
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  benchmark::Shutdown();
  return rc;
}
