#pragma once
// A monotonically increasing value. Thread-safe: any thread may call inc()
// and value() concurrently (lock-free atomics).
#include <atomic>

namespace sb::metrics {

class Counter {
 public:
  // Precondition: delta >= 0 (a negative delta is ignored: counters never go down).
  void inc(double delta = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down. Thread-safe like Counter.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double delta = 1.0) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void dec(double delta = 1.0) { value_.fetch_sub(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace sb::metrics
