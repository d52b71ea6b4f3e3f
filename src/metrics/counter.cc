#include "metrics/counter.h"

namespace sb::metrics {

void Counter::inc(double delta) {
  if (!(delta >= 0)) return;  // also rejects NaN
  value_.fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace sb::metrics
