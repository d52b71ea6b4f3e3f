#include "service/outbound_commands.h"

#include <fmt/format.h>

#include "service/ownership.h"
#include "service/record_json.h"

namespace sb::service::commands {

using nlohmann::json;
namespace r = routing;

namespace {

std::string target(InteractionId i) { return fmt::format("interaction/{}", i.value); }

bool takes_voice(const r::QueueConfig& q, TimePoint now) {
  return q.enabled && q.hours.is_open(now) &&
         (q.channels.empty() || std::find(q.channels.begin(), q.channels.end(), Channel::kVoice) != q.channels.end());
}

bool has_skills(const r::AgentConfig& a, const r::QueueConfig& q) {
  for (const auto& req : q.requirements) {
    auto it = a.skills.find(req.skill);
    if (it == a.skills.end() || it->second < req.min_level) return false;
  }
  return true;
}

// The queue a new outbound interaction counts in (see start_outbound_call).
Result<QueueId> choose_queue(Txn& t, const OutboundCall& c) {
  auto usable = [&](const r::QueueConfig& q) -> Status {
    if (!takes_voice(q, t.now))
      return Error::conflict(fmt::format("queue '{}' does not take voice calls now (disabled, closed or no voice)", q.name));
    return {};
  };
  if (c.queue) {
    auto it = t.dir.queues.find(*c.queue);
    if (it == t.dir.queues.end()) return Error::invalid("queue", fmt::format("no queue with id {}", c.queue->value));
    if (auto s = usable(it->second); !s) return s.error();
    return it->first;
  }
  if (!c.queue_name.empty()) {
    for (const auto& [id, q] : t.dir.queues)
      if (q.name == c.queue_name) {
        if (auto s = usable(q); !s) return s.error();
        return id;
      }
    return Error::conflict(fmt::format("the trunk's queue '{}' does not exist", c.queue_name));
  }
  const store::UserRecord* u = t.dir.user(UserId(c.agent.value));
  std::optional<QueueId> any;
  for (const auto& [id, q] : t.dir.queues) {
    if (!takes_voice(q, t.now)) continue;
    if (u && has_skills(agent_config(*u), q)) return id;
    if (!any) any = id;
  }
  if (any) return *any;
  return Error::conflict("no enabled, open queue takes voice calls");
}

}  // namespace

Core::Fn start_outbound_call(OutboundCall c) {
  return [c = std::move(c)](Txn& t) -> Core::Value {
    if (auto s = check_self(t.actor, c.agent); !s) return s.error();
    if (c.to.empty() || c.to.size() > 40) return Error::invalid("to", "must be a phone number of 1 to 40 characters");
    if (auto s = check_phone(c.to, "to"); !s) return s.error();
    if (c.interaction) {
      InteractionId i = *c.interaction;
      auto snap = t.engine.interaction(i, t.now);
      if (!snap) return Error::not_found(fmt::format("interaction {} is not open", i.value));
      if (!snap->agent || snap->agent->value != c.agent.value)
        return Error{ErrorCode::kPermissionDenied, "the interaction is not yours", "interaction"};
      if (snap->state != r::InteractionState::kConnected)
        return Error::conflict(fmt::format("interaction {} is not connected (accept it first)", i.value));
      if (snap->channel != Channel::kVoice && snap->channel != Channel::kCallback)
        return Error::conflict("only voice and callback interactions can be dialled");
      t.audit("call.place", target(i), {{"to", c.to}});
      return json{{"interaction", i.value}, {"created", false}, {"to", c.to}, {"queue", snap->queue.value},
                  {"customer", snap->customer ? json(snap->customer.value) : json(nullptr)}};
    }
    auto agent = t.engine.agent(c.agent);
    if (!agent || agent->state == r::AgentState::kLoggedOut) return Error::conflict("log in to place a call");
    if (agent->offer) return Error::conflict("an offer is ringing for you: answer or reject it first");
    if (agent->state == r::AgentState::kWrapUp)
      return Error::conflict("you are in wrap-up: complete it (or set yourself ready) first");
    for (InteractionId held : agent->interactions) {
      auto h = t.engine.interaction(held, t.now);
      bool phone = h && (h->channel == Channel::kVoice || h->channel == Channel::kCallback);
      if (phone && h->state == r::InteractionState::kWrapUp)
        return Error::conflict("you are in wrap-up: complete it (or set yourself ready) first");
      return Error::conflict(phone ? "you are already on a call"
                                   : "you hold other work (a call needs your full attention): finish it first");
    }
    auto queue = choose_queue(t, c);
    if (!queue) return queue.error();
    CustomerId customer;
    if (auto found = t.core_store().customer_by_contact(c.to)) customer = found->id;

    auto id = t.new_id("interactions");
    if (!id) return id.error();
    json data = c.data.is_object() ? c.data : json::object();
    data["direction"] = "outbound";
    data["to"] = c.to;
    store::InteractionRecord rec;
    rec.id = InteractionId(*id);
    rec.channel = "voice";
    rec.queue = *queue;
    rec.customer = customer;
    rec.from = c.to;  // the customer's number, as for inbound calls (screen pop, history)
    rec.subject = fmt::format("Call to {}", c.to);
    rec.created = t.now;
    rec.enqueued = t.now;
    rec.data_json = data.dump();
    t.add_interaction(rec);

    r::InteractionSpec spec;
    spec.id = rec.id;
    spec.channel = Channel::kVoice;
    spec.queue = *queue;
    spec.customer = customer;
    spec.from = c.to;
    // Connected at once, ready or not-ready: no queueing, no offer (a not-ready
    // agent stays not-ready and gets no offers; a ready one is busy on the call).
    if (auto s = t.engine.connect(spec, c.agent, t.now); !s) return s.error();
    t.audit("interaction.create", target(rec.id), {{"channel", "voice"}, {"queue", queue->value}, {"direction", "outbound"}});
    t.audit("call.place", target(rec.id), {{"to", c.to}});
    return json{{"interaction", rec.id.value}, {"created", true}, {"to", c.to}, {"queue", queue->value},
                {"customer", customer ? json(customer.value) : json(nullptr)}};
  };
}

Core::Fn outbound_call_failed(InteractionId i, int status, std::string reason, bool end) {
  return [=](Txn& t) -> Core::Value {
    auto snap = t.engine.interaction(i, t.now);
    json data{{"interaction", i.value}, {"status", status}, {"reason", reason}};
    std::optional<AgentId> agent = snap ? snap->agent : std::nullopt;
    t.event("call.failed", data, i, agent, snap ? std::optional<QueueId>(snap->queue) : std::nullopt);
    if (!end || !snap || !agent ||
        (snap->state != r::InteractionState::kConnected && snap->state != r::InteractionState::kWrapUp))
      return data;
    if (store::InteractionRecord* rec = t.interaction(i)) {
      json d = json::parse(rec->data_json, nullptr, false);
      if (!d.is_object()) d = json::object();
      d["outcome"] = "not_reached";
      d["sip_status"] = status;
      rec->data_json = d.dump();
    }
    if (auto s = t.engine.complete(i, *agent, t.now); !s) return s.error();
    t.audit("interaction.not_reached", target(i), {{"status", status}, {"reason", reason}});
    return data;
  };
}

Core::Fn call_event(InteractionId i, std::string type, json data) {
  return [i, type = std::move(type), data = std::move(data)](Txn& t) -> Core::Value {
    auto snap = t.engine.interaction(i, t.now);
    t.event(type, data, i, snap ? snap->agent : std::nullopt,
            snap ? std::optional<QueueId>(snap->queue) : std::nullopt);
    return json::object();
  };
}

}  // namespace sb::service::commands
