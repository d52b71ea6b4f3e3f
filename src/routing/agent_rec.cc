#include "routing/agent_rec.h"

#include <algorithm>

namespace sb::routing {

void index_memberships(AgentRec& a) {
  std::sort(a.member.begin(), a.member.end(), membership_order);
  a.scan.clear();
  a.scan.reserve(a.member.size());
  for (std::size_t k = 0; k < a.member.size(); ++k) {
    const Membership& m = a.member[k];
    a.scan.push_back(ScanEntry{m.bucket, m.channel, k == 0 || a.member[k - 1].queue_priority != m.queue_priority});
  }
}

std::uint32_t takeable_mask(const AgentRec& a) {
  if (!a.logged_in || a.not_ready || a.offer != kNone) return 0;
  const int total = a.load.total();
  if (a.max_total > 0 && total >= a.max_total) return 0;
  if (a.load[Channel::kVoice] + a.load[Channel::kCallback] > 0) return 0;
  std::uint32_t mask = 0;
  for (Channel c : kAllChannels) {
    if (a.load[c] >= a.capacity[c]) continue;
    if (is_phone(c) && total > 0) continue;
    mask |= channel_bit(c);
  }
  return mask;
}

const char* cannot_start(const AgentRec& a, Channel c) {
  if (!a.logged_in) return "is logged out";
  if (a.offer != kNone) return "has an offer ringing";
  if (a.load[Channel::kVoice] + a.load[Channel::kCallback] > 0)
    return a.wrapups == static_cast<int>(a.held.size()) ? "is in wrap-up" : "is on a call";
  const int total = a.load.total();
  if (a.capacity[c] <= 0 || a.load[c] >= a.capacity[c]) return "has no capacity for the channel";
  if (a.max_total > 0 && total >= a.max_total) return "has no spare capacity";
  if (is_phone(c) && total > 0) return "holds other work (phone work is exclusive)";
  return nullptr;
}

std::int64_t occupancy_ppm(const AgentRec& a) {
  std::int64_t best = 0;
  for (Channel c : kAllChannels) {
    int cap = a.capacity[c];
    if (cap > 0) best = std::max<std::int64_t>(best, std::int64_t{a.load[c]} * 1'000'000 / cap);
  }
  if (a.max_total > 0) best = std::max<std::int64_t>(best, std::int64_t{a.load.total()} * 1'000'000 / a.max_total);
  return best;
}

AgentState derive_state(const AgentRec& a) {
  if (!a.logged_in) return AgentState::kLoggedOut;
  if (a.offer != kNone) return AgentState::kReserved;
  if (a.not_ready) return AgentState::kNotReady;
  if (a.held.empty() || takeable_mask(a) != 0) return AgentState::kReady;
  if (a.wrapups == static_cast<int>(a.held.size())) return AgentState::kWrapUp;
  return AgentState::kBusy;
}

const std::string& derived_reason(const AgentRec& a) {
  static const std::string kEmpty;
  return derive_state(a) == AgentState::kNotReady ? a.not_ready_reason : kEmpty;
}

}  // namespace sb::routing
