// libre's timers on a heap, by symbol interposition.
//
// WHY. libre 1.1 keeps a thread's timers in one sorted doubly-linked list and
// inserts by walking it from the tail. Every SIP transaction leaves 32 s
// timers (Timer B/D/F/H/J/K), so at a few hundred calls per second the list
// holds tens of thousands of them and every short timer (500 ms
// retransmissions, the 20 ms media tick) walks past all of them: two thirds
// of the SIP thread went to tmr_start (bench/README.md, "Telephony"). Here
// the same functions keep the thread's timers in a binary min-heap
// (timer_heap.h): start and cancel O(log n), the next timer O(1).
//
// HOW. This file defines tmr_start, tmr_cancel, tmr_poll, tmr_next_timeout,
// tmr_get_expire, tmr_debug and tmr_status with C linkage and default
// visibility, and the switchboard executable exports them in its dynamic
// symbol table (src/telephony/CMakeLists.txt). libre calls its own tmr_*
// through its PLT, so the dynamic linker binds those calls (its SIP stack,
// re_main's poll loop) to these definitions, like a malloc replacement.
// tmr_init, tmr_jiffies and tmrl_get stay libre's. check_libre_timers() says
// at start-up which implementation is in use.
//
// CONTRACT (libre 1.1's tmr.c, kept):
//  - struct tmr is libre's and lives inside libre's objects; only its fields
//    are used. th != NULL means "running" (tmr_isrunning() is an inline that
//    reads it). The list element `le` was touched only by libre's tmr.c:
//    here le.data holds the heap slot (index + 1, 0 when not in the heap) and
//    le.prev, le.next, le.list stay as tmr_init left them.
//  - tmr_start(t, delay, th, arg) removes t if running, sets th and arg;
//    th == NULL cancels; else jfs = tmr_jiffies() + delay.
//  - Timers fire in jfs order, equal jfs in start order.
//  - tmr_poll reads the clock once, then fires every timer due by then,
//    taking the earliest each time and clearing th before calling the
//    handler: a handler may restart its own timer, cancel others, or start
//    one with delay 0, which fires in the same poll unless the clock ticked.
//  - tmr_next_timeout: 0 without timers, 1 when the first is due, else the
//    milliseconds until it. tmr_get_expire: milliseconds left, 0 when not
//    running or due.
//  - One heap per thread (thread_local), like libre's per-thread re context.
//    A timer is started, cancelled and fired on one thread; a running timer
//    that is not in the calling thread's heap aborts the process.
#include "telephony/libre_timers.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <spdlog/spdlog.h>

#include "telephony/timer_heap.h"

extern "C" {
#include <dlfcn.h>
#include <re.h>

// libre 1.1's main.c: the calling thread's timer list (exported, in no header).
struct list* tmrl_get(void);
}

#define SB_EXPORT __attribute__((visibility("default")))

namespace {

struct TmrSlot {
  static std::size_t get(const tmr& t) { return reinterpret_cast<std::uintptr_t>(t.le.data); }
  static void set(tmr& t, std::size_t slot) { t.le.data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot)); }
};
using Heap = sb::telephony::TimerHeap<tmr, TmrSlot>;

thread_local Heap t_heap;
std::atomic<std::int64_t> g_running{0};  // all threads' heaps together

[[noreturn]] void die(const char* what, const tmr* t) {
  std::fprintf(stderr, "libre_timers: %s (tmr %p): a timer used from two threads, or a corrupted one\n", what,
               static_cast<const void*>(t));
  std::abort();
}

void remove(Heap& heap, tmr& t) {
  if (!heap.contains(t)) die("running timer not in this thread's heap", &t);
  heap.erase(t);
  g_running.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

extern "C" {

SB_EXPORT void tmr_start(tmr* t, uint64_t delay, tmr_h* th, void* arg) {
  if (!t) return;
  Heap& heap = t_heap;
  if (t->th) remove(heap, *t);
  t->th = th;
  t->arg = arg;
  if (!th) return;
  t->jfs = tmr_jiffies() + delay;
  heap.push(*t, t->jfs);
  g_running.fetch_add(1, std::memory_order_relaxed);
}

SB_EXPORT void tmr_cancel(tmr* t) { tmr_start(t, 0, nullptr, nullptr); }

SB_EXPORT void tmr_poll(list* tmrl) {
  assert(tmrl == tmrl_get());  // re_main passes its own thread's list
  (void)tmrl;
  const uint64_t now = tmr_jiffies();
  Heap& heap = t_heap;
  while (tmr* t = heap.pop_due(now)) {
    g_running.fetch_sub(1, std::memory_order_relaxed);
    tmr_h* th = t->th;
    void* arg = t->arg;
    t->th = nullptr;
    if (th) th(arg);
  }
}

SB_EXPORT uint64_t tmr_next_timeout(list* tmrl) {
  assert(tmrl == tmrl_get());
  (void)tmrl;
  const Heap& heap = t_heap;
  if (heap.empty()) return 0;
  const uint64_t now = tmr_jiffies();
  const uint64_t due = heap.top_due();
  return due <= now ? 1 : due - now;
}

SB_EXPORT uint64_t tmr_get_expire(const tmr* t) {
  if (!t || !t->th) return 0;
  const uint64_t now = tmr_jiffies();
  return t->jfs > now ? t->jfs - now : 0;
}

// libre's format: a header, then one line per timer, earliest first (at most 100 here).
SB_EXPORT int tmr_status(struct re_printf* pf, void* unused) {
  (void)unused;
  const Heap& heap = t_heap;
  if (heap.empty()) return 0;
  std::vector<std::pair<uint64_t, const tmr*>> all;
  all.reserve(heap.size());
  heap.for_each([&](const tmr& t, uint64_t due) { all.emplace_back(due, &t); });
  std::sort(all.begin(), all.end());
  int err = re_hprintf(pf, "Timers (%u):\n", static_cast<unsigned>(all.size()));
  const std::size_t shown = std::min<std::size_t>(all.size(), 100);
  for (std::size_t i = 0; i < shown; ++i) {
    const tmr* t = all[i].second;
    err |= re_hprintf(pf, "  %p: th=%p expire=%llums\n", static_cast<const void*>(t), reinterpret_cast<void*>(t->th),
                      static_cast<unsigned long long>(tmr_get_expire(t)));
  }
  if (shown < all.size()) err |= re_hprintf(pf, "    (%u more)\n", static_cast<unsigned>(all.size() - shown));
  return err;
}

SB_EXPORT void tmr_debug(void) {
  if (!t_heap.empty()) (void)re_fprintf(stderr, "%H", tmr_status, nullptr);
}

}  // extern "C"

namespace sb::telephony {

std::size_t libre_timers_pending() { return t_heap.size(); }

std::int64_t libre_timers_pending_all() { return g_running.load(std::memory_order_relaxed); }

LibreTimers libre_timers_in_use() {
  struct Symbol {
    const char* name;
    void* ours;
  };
  const Symbol symbols[] = {
      {"tmr_start", reinterpret_cast<void*>(&tmr_start)},
      {"tmr_cancel", reinterpret_cast<void*>(&tmr_cancel)},
      {"tmr_poll", reinterpret_cast<void*>(&tmr_poll)},
      {"tmr_next_timeout", reinterpret_cast<void*>(&tmr_next_timeout)},
      {"tmr_get_expire", reinterpret_cast<void*>(&tmr_get_expire)},
      {"tmr_debug", reinterpret_cast<void*>(&tmr_debug)},
      {"tmr_status", reinterpret_cast<void*>(&tmr_status)},
  };
  int ours = 0;
  for (const Symbol& s : symbols)
    if (dlsym(RTLD_DEFAULT, s.name) == s.ours) ++ours;
  if (ours == static_cast<int>(std::size(symbols))) return LibreTimers::kHeap;
  return ours == 0 ? LibreTimers::kList : LibreTimers::kMixed;
}

Status check_libre_timers() {
  switch (libre_timers_in_use()) {
    case LibreTimers::kHeap:
      spdlog::info("[sip] timers: libre's tmr_* run on Switchboard's per-thread heap (O(log n) start and cancel)");
      return {};
    case LibreTimers::kList:
      spdlog::warn("[sip] timers: libre's own sorted timer list is in use (the executable does not export tmr_*): "
                   "every timer start walks it, so the call rate is a fraction of what it should be");
      return {};
    case LibreTimers::kMixed:
      break;
  }
  return Error{ErrorCode::kInternal,
               "libre's tmr_* resolve partly to Switchboard's heap and partly to libre's list: timers would be lost",
               "sip"};
}

void add_libre_timers_gauge(metrics::Registry& registry) {
  registry.callback_gauge("switchboard_sip_timers",
                          "libre timers running (SIP transaction timers, retransmissions, media ticks)", {}, [] {
                            metrics::Sample s;
                            s.value = static_cast<double>(libre_timers_pending_all());
                            return std::vector<metrics::Sample>{s};
                          });
}

}  // namespace sb::telephony
