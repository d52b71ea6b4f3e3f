#pragma once
// Label values of one child of a metric family, in the order of the family's
// label names. Example: {"GET", "/api/queues/{id}", "200"}.
#include <string>
#include <vector>

namespace sb::metrics {

using LabelValues = std::vector<std::string>;

}  // namespace sb::metrics
