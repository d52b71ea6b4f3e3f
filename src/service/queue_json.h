#pragma once
// The JSON form of a queue's routing settings, as the API accepts it and as
// the store keeps it (QueueRecord::config_json). Parsing validates every field
// and names the first bad one.
#include <functional>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "routing/types.h"

namespace sb::service {

struct QueueRefs {
  std::function<bool(SkillId)> skill_exists;
  std::function<bool(QueueId)> queue_exists;
};

nlohmann::json to_json(const routing::QueueConfig& q);

// Reads a queue from JSON. `base` supplies values for absent fields (PATCH
// semantics); pass a default-constructed config for create. The id is not read
// from JSON.
Result<routing::QueueConfig> queue_from_json(const nlohmann::json& j, routing::QueueConfig base,
                                             const QueueRefs& refs);

}  // namespace sb::service
