#include <fmt/format.h>

#include "service/commands.h"
#include "service/event_json.h"
#include "service/ownership.h"

namespace sb::service::commands {

using nlohmann::json;

namespace {

// The agent's snapshot after a state command, as the command's reply.
Core::Value agent_reply(Txn& t, AgentId a) {
  auto snap = t.engine.agent(a);
  assert(snap);
  return to_json(*snap);
}

template <class Op>
Core::Fn state_command(AgentId a, const char* action, Op op) {
  return [a, action, op](Txn& t) -> Core::Value {
    if (auto s = check_self(t.actor, a); !s) return s.error();
    if (auto s = check_agent_exists(t.dir, a); !s) return s.error();
    if (auto s = op(t); !s) return s.error();
    t.audit(action, fmt::format("agent/{}", a.value));
    return agent_reply(t, a);
  };
}

}  // namespace

Core::Fn agent_login(AgentId a) {
  return state_command(a, "agent.login", [a](Txn& t) { return t.engine.login(a, t.now); });
}

Core::Fn agent_ready(AgentId a) {
  return state_command(a, "agent.ready", [a](Txn& t) { return t.engine.set_ready(a, t.now); });
}

Core::Fn agent_not_ready(AgentId a, std::string reason) {
  return state_command(a, "agent.not_ready", [a, reason](Txn& t) -> Status {
    if (!t.dir.reason(reason))
      return Error::invalid("reason", fmt::format("'{}' is not an enabled not-ready reason", reason));
    return t.engine.set_not_ready(a, reason, t.now);
  });
}

Core::Fn agent_logout(AgentId a) {
  return state_command(a, "agent.logout", [a](Txn& t) { return t.engine.logout(a, t.now); });
}

}  // namespace sb::service::commands
