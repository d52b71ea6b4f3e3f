#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "metrics/registry.h"
#include "metrics/text_format.h"

namespace sb::metrics {
namespace {

TEST(Registry, RendersPrometheusTextFormatExactly) {
  Registry r;
  r.counter("jobs_total", "Jobs processed.").inc(3);
  auto& requests = r.counter_family("http_requests_total", "HTTP requests.", {"method", "status"});
  requests.with({"POST", "201"}).inc();
  requests.with({"GET", "200"}).inc(2);
  r.gauge("temperature_celsius", "Line one\nback\\slash").set(-1.5);
  auto& h = r.histogram_family("latency_seconds", "Latency.", {"route"}, {0.1, 0.5});
  h.with({"/a"}).observe(0.05);
  h.with({"/a"}).observe(0.3);
  h.with({"/a"}).observe(7);
  r.callback_gauge("queue_size", "Waiting interactions.", {"queue"}, [] {
    return std::vector<Sample>{{{"Billing \"EU\""}, 4}, {{"wrong", "arity"}, 9}, {{"Sales\\Nord\n"}, 0}};
  });

  const std::string expected =
      "# HELP jobs_total Jobs processed.\n"
      "# TYPE jobs_total counter\n"
      "jobs_total 3\n"
      "# HELP http_requests_total HTTP requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"GET\",status=\"200\"} 2\n"
      "http_requests_total{method=\"POST\",status=\"201\"} 1\n"
      "# HELP temperature_celsius Line one\\nback\\\\slash\n"
      "# TYPE temperature_celsius gauge\n"
      "temperature_celsius -1.5\n"
      "# HELP latency_seconds Latency.\n"
      "# TYPE latency_seconds histogram\n"
      "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"
      "latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"
      "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
      "latency_seconds_sum{route=\"/a\"} 7.35\n"
      "latency_seconds_count{route=\"/a\"} 3\n"
      "# HELP queue_size Waiting interactions.\n"
      "# TYPE queue_size gauge\n"
      "queue_size{queue=\"Billing \\\"EU\\\"\"} 4\n"
      "queue_size{queue=\"Sales\\\\Nord\\n\"} 0\n";
  EXPECT_EQ(r.render(), expected);
}

TEST(Registry, RegistrationIsIdempotentAndClashesThrow) {
  Registry r;
  Counter& a = r.counter("x_total", "X.");
  Counter& b = r.counter("x_total", "X.");
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("x_total", "X."), std::invalid_argument);
  EXPECT_THROW(r.counter_family("x_total", "X.", {"a"}), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name", "."), std::invalid_argument);
  EXPECT_THROW(r.counter_family("y_total", ".", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", ".", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("z_total", ".", {"a"}).with({}), std::invalid_argument);
  r.callback_gauge("cb", ".", {}, [] { return std::vector<Sample>{}; });
  EXPECT_THROW(r.callback_gauge("cb", ".", {}, [] { return std::vector<Sample>{}; }), std::invalid_argument);
}

TEST(Registry, ThrowingCallbackRendersNoSamples) {
  Registry r;
  r.callback_gauge("agents", "Agents.", {}, []() -> std::vector<Sample> { throw std::runtime_error("x"); });
  EXPECT_EQ(r.render(), "# HELP agents Agents.\n# TYPE agents gauge\n");
}

TEST(Histogram, BucketsAreCumulativeWithLeSemantics) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 9.0}) h.observe(v);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.sum, 18.0);
}

TEST(Counter, IgnoresNegativeIncrements) {
  Counter c;
  c.inc(2);
  c.inc(-1);
  EXPECT_EQ(c.value(), 2);
}

TEST(TextFormat, FormatsValues) {
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(Registry, ConcurrentRecordingAndScraping) {
  Registry r;
  auto& fam = r.counter_family("ops_total", "Ops.", {"worker"});
  auto& hist = r.histogram("op_seconds", "Op time.", default_latency_buckets());
  auto& g = r.gauge("inflight", "In flight.");
  constexpr int kThreads = 4, kOps = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        fam.with({std::to_string(t % 2)}).inc();
        hist.observe(0.003);
        g.inc();
        g.dec();
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      std::string text = r.render();
      EXPECT_NE(text.find("# TYPE op_seconds histogram"), std::string::npos);
    }
  });
  for (auto& th : threads) th.join();
  EXPECT_EQ(fam.with({"0"}).value() + fam.with({"1"}).value(), kThreads * kOps);
  auto s = hist.snapshot();
  EXPECT_EQ(s.count, static_cast<std::uint64_t>(kThreads * kOps));
  EXPECT_EQ(s.cumulative.back(), s.count);
  EXPECT_EQ(s.cumulative[1], 0u);                   // 0.0025 bucket
  EXPECT_EQ(s.cumulative[2], s.count);              // 0.005 bucket
  EXPECT_NEAR(s.sum, 0.003 * kThreads * kOps, 1e-6);
  EXPECT_EQ(g.value(), 0);
}

}  // namespace
}  // namespace sb::metrics
