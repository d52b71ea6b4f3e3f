#pragma once
// A histogram with fixed upper bounds. observe() is lock-free and may be called
// from any thread; snapshot() may run concurrently with observe().
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::metrics {

// Default bounds for request latencies in seconds (1 ms .. 10 s).
std::vector<double> default_latency_buckets();

class Histogram {
 public:
  // `bounds`: strictly increasing, finite upper bounds; +Inf is implicit.
  // Throws std::invalid_argument otherwise (a programming error at startup).
  explicit Histogram(std::vector<double> bounds);

  void observe(double v);

  struct Snapshot {
    std::vector<double> bounds;             // without +Inf
    std::vector<std::uint64_t> cumulative;  // bounds.size() + 1 entries; last is +Inf == count
    double sum = 0;
    std::uint64_t count = 0;
  };
  // Cumulative counts; count always equals the +Inf bucket, even under
  // concurrent observe() (sum may lag by the observations in flight).
  Snapshot snapshot() const;

  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative; bounds_.size()+1
  std::atomic<double> sum_{0.0};
};

}  // namespace sb::metrics
