#pragma once
// Pieces of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include <string>
#include <string_view>
#include <vector>

#include "metrics/labels.h"

namespace sb::metrics {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved).
bool valid_label_name(std::string_view name);

// HELP text: backslash -> \\, newline -> \n.
std::string escape_help(std::string_view s);
// Label value: backslash -> \\, double quote -> \", newline -> \n.
std::string escape_label_value(std::string_view s);
// Shortest round-trip decimal; "+Inf", "-Inf", "NaN" for the specials.
std::string format_value(double v);

// `{a="x",b="y"}`, or "" when there are no labels. `extra_name`/`extra_value`
// (e.g. le="0.5") are appended when extra_name is non-empty.
std::string format_labels(const std::vector<std::string>& names, const LabelValues& values,
                          std::string_view extra_name = {}, std::string_view extra_value = {});

}  // namespace sb::metrics
