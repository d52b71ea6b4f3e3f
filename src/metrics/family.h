#pragma once
// A metric family: one child metric per distinct tuple of label values, e.g.
// http_requests_total{method,route,status}. Children are created on first use
// and live as long as the family (so a caller may keep the reference).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "metrics/labels.h"

namespace sb::metrics {

template <class T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  // The child for `values` (one per label name, same order). Thread-safe.
  // Throws std::invalid_argument when the number of values is wrong.
  T& with(const LabelValues& values) {
    if (values.size() != label_names_.size())
      throw std::invalid_argument("metric family expects " + std::to_string(label_names_.size()) +
                                  " label values, got " + std::to_string(values.size()));
    std::lock_guard lock(mu_);
    auto& slot = children_[values];
    if (!slot) slot = make_();
    return *slot;
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

  // Children sorted by label values. The pointers stay valid for the family's lifetime.
  std::vector<std::pair<LabelValues, const T*>> children() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<LabelValues, const T*>> out;
    out.reserve(children_.size());
    for (const auto& [k, v] : children_) out.emplace_back(k, v.get());
    return out;
  }

 private:
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<T>> children_;  // guarded by mu_
};

}  // namespace sb::metrics
