#pragma once
// libre's timers on a heap (libre_timers.cc): the switchboard executable
// replaces libre's tmr_start, tmr_cancel, tmr_poll, tmr_next_timeout,
// tmr_get_expire, tmr_debug and tmr_status. This header is what the rest of
// Switchboard sees of it; it does not include <re.h>.
#include <cstddef>
#include <cstdint>

#include "core/result.h"
#include "metrics/registry.h"

namespace sb::telephony {

// Timers running on the calling thread (its heap's size). Any thread.
std::size_t libre_timers_pending();

// Timers running on all threads together (what the gauge shows). Any thread.
std::int64_t libre_timers_pending_all();

// Which tmr_* functions the dynamic linker binds libre's own calls to.
enum class LibreTimers {
  kHeap,   // ours, all seven: libre's SIP stack uses the heap
  kList,   // libre's, all seven (the executable does not export ours)
  kMixed,  // some of each: timers would be lost between the two
};
LibreTimers libre_timers_in_use();

// The adapter's start-up check: logs one info line for kHeap, a warning for
// kList (works, slowly), and returns an error for kMixed.
Status check_libre_timers();

// Registers the gauge switchboard_sip_timers (libre_timers_pending_all() at
// scrape time). Once per registry: a second call throws, like any callback gauge.
void add_libre_timers_gauge(metrics::Registry& registry);

}  // namespace sb::telephony
