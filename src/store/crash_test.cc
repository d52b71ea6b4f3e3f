// Durability under kill -9: every batch whose submit() callback reported OK is
// present after the process dies abruptly and the store is reopened.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <semaphore>
#include <set>

#include "store/sqlite_store.h"
#include "store/temp_dir_for_test.h"

namespace sb::store {
namespace {

// Child process: submits numbered events as fast as the window allows and
// writes each acknowledged number to `fd`. Never returns.
[[noreturn]] void run_writer_child(const std::string& path, std::int64_t first, int fd) {
  auto store = SqliteStore::open(path);
  if (!store.ok() || !(*store)->migrate().ok()) _exit(2);
  std::counting_semaphore<256> window(256);  // bounded in-flight batches
  for (std::int64_t n = first;; ++n) {
    window.acquire();
    EventRecord e;
    e.type = "crash.test";
    e.at = from_micros(n);
    e.data_json = "{\"n\":" + std::to_string(n) + "}";
    WriteBatch b;
    b.ops.push_back(std::move(e));
    (*store)->submit(std::move(b), [fd, n, &window](Status s) {
      if (!s.ok()) _exit(3);
      // <= PIPE_BUF bytes: the write is atomic.
      if (write(fd, &n, sizeof n) != static_cast<ssize_t>(sizeof n)) _exit(4);
      window.release();
    });
  }
}

std::int64_t number_in(const std::string& data_json) {
  const auto pos = data_json.find("\"n\":");
  if (pos == std::string::npos) return -1;
  return std::stoll(data_json.substr(pos + 4));
}

// Reads acknowledged numbers from `fd` until `deadline` (or EOF).
void read_acks(int fd, std::chrono::steady_clock::time_point deadline, std::vector<std::int64_t>& acks) {
  std::int64_t buf[512];
  std::size_t partial = 0;  // bytes of an incomplete number at the front of buf
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return;
    pollfd p{fd, POLLIN, 0};
    const int wait_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    if (poll(&p, 1, wait_ms) <= 0) continue;
    ssize_t got = read(fd, reinterpret_cast<char*>(buf) + partial, sizeof buf - partial);
    if (got <= 0) return;  // EOF: the child is gone
    const std::size_t bytes = partial + static_cast<std::size_t>(got);
    const std::size_t whole = bytes / sizeof(std::int64_t);
    acks.insert(acks.end(), buf, buf + whole);
    partial = bytes % sizeof(std::int64_t);
    if (partial) std::memmove(buf, reinterpret_cast<char*>(buf) + whole * sizeof(std::int64_t), partial);
  }
}

TEST(CrashTest, AcknowledgedBatchesSurviveKill9) {
  TempDir dir;
  const std::string path = dir.file("crash.db");
  std::int64_t total_acked = 0;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const std::int64_t first = (round + 1) * 10'000'000LL;
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      run_writer_child(path, first, fds[1]);
    }
    close(fds[1]);
    std::vector<std::int64_t> acks;
    read_acks(fds[0], std::chrono::steady_clock::now() + std::chrono::milliseconds(500), acks);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited by itself (status " << status << ") before it was killed";
    // Acks already in the pipe were given before the kill: they count too.
    read_acks(fds[0], std::chrono::steady_clock::now() + std::chrono::seconds(5), acks);
    close(fds[0]);
    ASSERT_GT(acks.size(), 10u) << "round " << round << ": the child acknowledged too little to prove anything";

    auto store = SqliteStore::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->migrate().ok());
    std::set<std::int64_t> present;
    EventQuery q;
    q.limit = 1'000'000;
    for (const EventRecord& e : (*store)->events(q)) present.insert(number_in(e.data_json));
    std::size_t missing = 0;
    for (std::int64_t n : acks)
      if (!present.count(n)) ++missing;
    EXPECT_EQ(missing, 0u) << "round " << round << ": " << missing << " of " << acks.size()
                           << " acknowledged batches lost";
    total_acked += static_cast<std::int64_t>(acks.size());
    RecordProperty("acked_round_" + std::to_string(round), static_cast<int>(acks.size()));
  }
  std::printf("[ crash    ] %lld acknowledged batches checked over 3 kill -9 rounds\n",
              static_cast<long long>(total_acked));
}

}  // namespace
}  // namespace sb::store
