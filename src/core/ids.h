#pragma once
// Strongly typed identifiers. An Id<Tag> is a 64-bit integer that cannot be
// mixed up with an id of another kind; 0 means "none".
#include <compare>
#include <cstdint>
#include <functional>

namespace sb {

template <class Tag>
struct Id {
  std::int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr explicit operator bool() const { return value != 0; }
  constexpr auto operator<=>(const Id&) const = default;
};

using AgentId = Id<struct AgentTag>;  // equal to the agent's UserId
using UserId = Id<struct UserTag>;
using QueueId = Id<struct QueueTag>;
using SkillId = Id<struct SkillTag>;
using TeamId = Id<struct TeamTag>;
using InteractionId = Id<struct InteractionTag>;
using CustomerId = Id<struct CustomerTag>;

}  // namespace sb

template <class Tag>
struct std::hash<sb::Id<Tag>> {
  std::size_t operator()(sb::Id<Tag> id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
