// libre_timers.cc against the real libre: this executable links libre and
// exports tmr_* like switchboard does, so libre's own calls reach the heap.
#include "telephony/libre_timers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

extern "C" {
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <re.h>

struct list* tmrl_get(void);  // libre 1.1's main.c: exported, in no header
}

namespace sb::telephony {
namespace {

// Handlers record into `fired`; an Action may run on firing.
struct Fixture : ::testing::Test {
  struct Timer {
    Fixture* fx = nullptr;
    int id = 0;
    tmr t{};
    std::function<void()> action;
  };

  std::vector<int> fired;
  std::vector<std::unique_ptr<Timer>> timers;

  void SetUp() override { ASSERT_EQ(libre_timers_pending(), 0u); }
  void TearDown() override {
    for (auto& t : timers) tmr_cancel(&t->t);
    EXPECT_EQ(libre_timers_pending(), 0u);
  }

  Timer& make(int id) {
    timers.push_back(std::make_unique<Timer>());
    Timer& t = *timers.back();
    t.fx = this;
    t.id = id;
    tmr_init(&t.t);
    return t;
  }
  static void on_timer(void* arg) {
    auto* t = static_cast<Timer*>(arg);
    t->fx->fired.push_back(t->id);
    if (t->action) t->action();
  }
  void start(Timer& t, std::uint64_t delay) { tmr_start(&t.t, delay, &Fixture::on_timer, &t); }
  static void poll() { tmr_poll(tmrl_get()); }
  static void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
  // Polls until no timer is left (each must be due within `limit_ms`).
  static void poll_until_empty(int limit_ms = 2000) {
    for (int waited = 0; libre_timers_pending() > 0 && waited < limit_ms; ++waited) {
      sleep_ms(1);
      poll();
    }
  }
};

using LibreTimersTest = Fixture;

TEST_F(LibreTimersTest, TheExecutablesTimersAreTheOnesLibreCalls) {
  EXPECT_EQ(libre_timers_in_use(), LibreTimers::kHeap);
  EXPECT_TRUE(check_libre_timers());
}

TEST_F(LibreTimersTest, FireInDueOrder) {
  Timer& a = make(1);
  Timer& b = make(2);
  Timer& c = make(3);
  start(a, 30);
  start(b, 10);
  start(c, 20);
  EXPECT_TRUE(tmr_isrunning(&a.t));
  EXPECT_EQ(libre_timers_pending(), 3u);
  poll();
  EXPECT_TRUE(fired.empty());
  poll_until_empty();
  EXPECT_EQ(fired, (std::vector<int>{2, 3, 1}));
  EXPECT_FALSE(tmr_isrunning(&a.t));
}

TEST_F(LibreTimersTest, EqualDueTimesFireInStartOrder) {
  std::vector<int> want;
  for (int k = 0; k < 200; ++k) {
    start(make(k), 5);
    want.push_back(k);
  }
  // Started within a few ms: most share a due time (ties must keep start order).
  std::map<std::uint64_t, int> per_jfs;
  for (auto& t : timers) ++per_jfs[t->t.jfs];
  EXPECT_LT(per_jfs.size(), 200u);
  poll_until_empty();
  EXPECT_EQ(fired, want);
}

TEST_F(LibreTimersTest, RestartMovesATimerToItsNewDueTime) {
  Timer& a = make(1);
  Timer& b = make(2);
  start(a, 5);
  start(b, 10);
  start(a, 20);  // restarted while running: removed, then added again
  EXPECT_EQ(libre_timers_pending(), 2u);
  poll_until_empty();
  EXPECT_EQ(fired, (std::vector<int>{2, 1}));
}

TEST_F(LibreTimersTest, CancelAndTheNullHandler) {
  Timer& a = make(1);
  Timer& b = make(2);
  start(a, 1);
  start(b, 1);
  tmr_cancel(&a.t);
  EXPECT_FALSE(tmr_isrunning(&a.t));
  EXPECT_EQ(a.t.arg, nullptr);
  tmr_cancel(&a.t);  // not running: nothing happens
  tmr_start(&b.t, 5, nullptr, nullptr);  // th == NULL cancels too
  EXPECT_FALSE(tmr_isrunning(&b.t));
  tmr_cancel(nullptr);
  tmr_start(nullptr, 1, &Fixture::on_timer, nullptr);
  EXPECT_EQ(libre_timers_pending(), 0u);
  sleep_ms(3);
  poll();
  EXPECT_TRUE(fired.empty());
}

TEST_F(LibreTimersTest, AHandlerCancelsAnotherAndRestartsItself) {
  Timer& a = make(1);
  Timer& b = make(2);
  Timer& c = make(3);
  int a_runs = 0;
  a.action = [&] {
    EXPECT_FALSE(tmr_isrunning(&a.t));  // th is cleared before the handler runs
    tmr_cancel(&b.t);                   // due in the same poll, never fires
    if (++a_runs < 3) start(a, 2);      // restarts itself
  };
  start(a, 1);
  start(b, 1);
  start(c, 30);
  // a and b due together (unless the clock ticked between the two starts).
  if (a.t.jfs != b.t.jfs) GTEST_SKIP() << "the clock ticked between two starts; rerun";
  poll_until_empty();
  EXPECT_EQ(fired, (std::vector<int>{1, 1, 1, 3}));
}

TEST_F(LibreTimersTest, DelayZeroFromAHandlerFiresInTheSamePoll) {
  // tmr_poll reads the clock once: a delay-0 timer started by a handler is due
  // in that poll when the clock has not ticked since. Try until it has not.
  for (int attempt = 0; attempt < 20; ++attempt) {
    fired.clear();
    Timer& a = make(1);
    Timer& z = make(2);
    start(a, 0);
    a.action = [&] { start(z, 0); };
    std::uint64_t before = tmr_jiffies();
    poll();
    if (z.t.jfs != before) {  // ticked: it fires in a later poll
      poll_until_empty();
      EXPECT_EQ(fired, (std::vector<int>{1, 2}));
      continue;
    }
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
    EXPECT_EQ(libre_timers_pending(), 0u);
    return;
  }
  FAIL() << "the clock ticked in every attempt";
}

TEST_F(LibreTimersTest, ExpireAndNextTimeout) {
  list* tl = tmrl_get();
  EXPECT_EQ(tmr_next_timeout(tl), 0u);  // no timer
  Timer& a = make(1);
  EXPECT_EQ(tmr_get_expire(&a.t), 0u);  // not running
  EXPECT_EQ(tmr_get_expire(nullptr), 0u);
  start(a, 1000);
  EXPECT_LE(tmr_get_expire(&a.t), 1000u);
  EXPECT_GE(tmr_get_expire(&a.t), 990u);
  EXPECT_LE(tmr_next_timeout(tl), 1000u);
  EXPECT_GE(tmr_next_timeout(tl), 990u);
  Timer& b = make(2);
  start(b, 300);
  EXPECT_LE(tmr_next_timeout(tl), 300u);
  EXPECT_GE(tmr_next_timeout(tl), 290u);
  Timer& z = make(3);
  start(z, 0);
  EXPECT_EQ(tmr_next_timeout(tl), 1u);  // due now
  EXPECT_EQ(tmr_get_expire(&z.t), 0u);
  poll();
  EXPECT_EQ(fired, (std::vector<int>{3}));
  EXPECT_GE(tmr_next_timeout(tl), 290u);
  char buf[512];
  std::string status;
  re_snprintf(buf, sizeof buf, "%H", tmr_status, nullptr);
  status = buf;
  EXPECT_NE(status.find("Timers (2):"), std::string::npos) << status;
}

// 100,000 random starts, restarts and cancels (delays 0-7 ms, so many ties),
// polled as the real clock runs, against a std::multimap keyed by (jfs, start
// order): the handlers fire in the model's order, and each poll fires exactly
// a prefix of what the model has pending.
TEST_F(LibreTimersTest, RandomOperationsMatchAReferenceModel) {
  constexpr int kTimers = 500;
  for (int k = 0; k < kTimers; ++k) make(k);
  using Model = std::multimap<std::pair<std::uint64_t, std::uint64_t>, int>;
  Model model;
  std::vector<Model::iterator> where(kTimers, model.end());
  std::mt19937_64 rng(7);
  std::uint64_t seq = 0;
  std::size_t total = 0;
  auto check_poll = [&] {
    fired.clear();
    std::uint64_t before = tmr_jiffies();
    poll();
    std::uint64_t after = tmr_jiffies();
    for (int id : fired) {
      ASSERT_FALSE(model.empty());
      ASSERT_EQ(model.begin()->second, id);
      ASSERT_LE(model.begin()->first.first, after);
      where[id] = model.end();
      model.erase(model.begin());
    }
    total += fired.size();
    ASSERT_EQ(libre_timers_pending(), model.size());
    if (!model.empty()) {
      ASSERT_GT(model.begin()->first.first, before) << "a due timer did not fire";
    }
  };
  for (int op = 0; op < 100'000; ++op) {
    int k = static_cast<int>(rng() % kTimers);
    Timer& t = *timers[k];
    unsigned r = rng() % 100;
    if (r < 50) {
      if (where[k] != model.end()) model.erase(where[k]);
      start(t, rng() % 8);
      where[k] = model.emplace(std::make_pair(t.t.jfs, seq++), k);
    } else if (r < 80) {
      tmr_cancel(&t.t);
      if (where[k] != model.end()) model.erase(where[k]);
      where[k] = model.end();
    } else {
      ASSERT_NO_FATAL_FAILURE(check_poll());
    }
  }
  while (!model.empty()) {
    sleep_ms(1);
    ASSERT_NO_FATAL_FAILURE(check_poll());
  }
  EXPECT_GT(total, 1000u);
}

// libre's SIP stack itself: a stateful OPTIONS to a UDP port that never
// answers starts its transaction timers (Timer E and F) in the heap, re_main
// fires the retransmission through tmr_poll/tmr_next_timeout, and freeing the
// stack cancels them.
TEST(LibreTimersSip, LibresOwnTransactionsUseTheHeap) {
  ASSERT_EQ(libre_init(), 0);
  int silent = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  sip* stack = nullptr;
  ASSERT_EQ(sip_alloc(&stack, nullptr, 16, 16, 16, "timers-test", nullptr, nullptr), 0);
  sa laddr{};
  ASSERT_EQ(sa_set_str(&laddr, "127.0.0.1", 0), 0);
  ASSERT_EQ(sip_transp_add(stack, SIP_TRANSP_UDP, &laddr), 0);

  const std::size_t before = libre_timers_pending();
  const std::string uri = "sip:nobody@127.0.0.1:" + std::to_string(port);
  struct sip_request* req = nullptr;
  int responses = 0;
  ASSERT_EQ(sip_requestf(&req, stack, true, "OPTIONS", uri.c_str(), nullptr, nullptr, nullptr,
                         [](int, const sip_msg*, void* arg) { ++*static_cast<int*>(arg); }, &responses,
                         "To: <%s>\r\nFrom: <sip:test@127.0.0.1>;tag=t1\r\nCall-ID: libre-timers-test\r\n"
                         "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                         uri.c_str()),
            0);
  EXPECT_GE(libre_timers_pending(), before + 2) << "libre's sip_ctrans did not start its timers in the heap";
  EXPECT_GE(libre_timers_pending_all(), static_cast<std::int64_t>(before + 2));

  // 1.2 s of re_main: the first retransmission (Timer E, T1 = 500 ms) is sent
  // by a handler that re_main's tmr_poll took from the heap.
  tmr stop;
  tmr_init(&stop);
  tmr_start(&stop, 1200, [](void*) { re_cancel(); }, nullptr);
  EXPECT_EQ(re_main(nullptr), 0);
  int copies = 0;
  char buf[2048];
  while (recv(silent, buf, sizeof buf, 0) > 0)
    if (std::string_view(buf, 8) == "OPTIONS ") ++copies;
  EXPECT_GE(copies, 2) << "no retransmission: re_main did not fire the heap's timers";
  EXPECT_EQ(responses, 0);

  mem_deref(req);
  sip_close(stack, true);
  mem_deref(stack);
  close(silent);
  EXPECT_EQ(libre_timers_pending(), before) << "freeing the transaction did not cancel its timers";
  libre_close();
}

}  // namespace
}  // namespace sb::telephony
