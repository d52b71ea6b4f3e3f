#pragma once
// The set of metrics one process exposes, rendered in the Prometheus text
// format 0.0.4. Not a singleton: create one and pass it to whoever records.
//
// Registration (counter(), gauge_family(), ...) is thread-safe and idempotent:
// asking again for the same name, type, label names (and buckets) returns the
// existing metric. A clash (same name, different shape) or an invalid name is a
// programming error and throws std::invalid_argument.
//
// References returned stay valid for the Registry's lifetime. Recording on them
// is lock-free (a family's with() takes a short mutex to find the child).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "metrics/counter.h"
#include "metrics/family.h"
#include "metrics/histogram.h"
#include "metrics/labels.h"

namespace sb::metrics {

// One sample of a callback metric: label values (one per label name) and value.
struct Sample {
  LabelValues labels;
  double value = 0;
};
// Computes the samples at scrape time. Called from the thread that calls
// render(), without any Registry lock held: it may block (e.g. to ask the
// routing thread for queue sizes) and may itself register metrics.
using SampleFn = std::function<std::vector<Sample>()>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(const std::string& name, const std::string& help);
  Family<Counter>& counter_family(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names);
  Gauge& gauge(const std::string& name, const std::string& help);
  Family<Gauge>& gauge_family(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names);
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds);
  Family<Histogram>& histogram_family(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names, std::vector<double> bounds);

  // A gauge whose samples are computed by `fn` at every render(). Samples with
  // the wrong number of label values are skipped; if `fn` throws, the metric
  // is rendered without samples. Registering the same name twice throws.
  void callback_gauge(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names, SampleFn fn);

  // All metrics in registration order; children sorted by label values.
  // Safe to call concurrently with recording and registration.
  std::string render() const;

 private:
  struct Entry;
  Entry& find_or_add(const std::string& name, const std::string& help, int kind,
                     const std::vector<std::string>& label_names, const std::vector<double>* bounds);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;  // guarded by mu_; entries never removed
  std::map<std::string, Entry*> by_name_;        // guarded by mu_
};

}  // namespace sb::metrics
