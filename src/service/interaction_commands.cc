#include <fmt/format.h>

#include "service/commands.h"
#include "service/event_json.h"
#include "service/ownership.h"
#include "service/record_json.h"

namespace sb::service::commands {

using nlohmann::json;
namespace r = routing;

namespace {

std::string target(InteractionId i) { return fmt::format("interaction/{}", i.value); }

// The interaction's record merged with its live routing state.
json reply(Txn& t, InteractionId i) {
  const store::InteractionRecord* rec = t.interaction(i);
  json j = rec ? to_json(*rec) : json{{"id", i.value}, {"state", "ended"}};
  if (auto snap = t.engine.interaction(i, t.now)) {
    j["state"] = to_string(snap->state);
    j["queue"] = snap->queue.value;
    j["position"] = snap->position;
    j["estimated_wait"] = to_seconds(snap->estimated_wait);
    j["agent"] = snap->agent ? json(snap->agent->value) : json(nullptr);
  }
  return j;
}


template <class Op>
Core::Fn simple(InteractionId i, const char* action, bool holder_only, Op op) {
  return [=](Txn& t) -> Core::Value {
    if (holder_only) {
      if (auto s = check_holder(t, i); !s) return s.error();
    } else if (!t.engine.interaction(i, t.now)) {
      return Error::not_found(fmt::format("interaction {} is not open", i.value));
    }
    if (auto s = op(t); !s) return s.error();
    t.audit(action, target(i));
    return reply(t, i);
  };
}

}  // namespace

Status check_holder(Txn& t, InteractionId i) {
  auto snap = t.engine.interaction(i, t.now);
  if (!snap) return Error::not_found(fmt::format("interaction {} is not open", i.value));
  if (t.actor.role == store::Role::kAgent &&
      (!snap->agent || !t.actor.user || snap->agent->value != t.actor.user->value))
    return Error{ErrorCode::kPermissionDenied, "the interaction is not yours", "interaction"};
  return {};
}

Core::Fn create_interaction(json body) {
  return [body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"channel", "queue", "priority", "from", "customer", "subject", "data"}); !s)
      return s.error();
    if (!body.contains("channel")) return Error::invalid("channel", "is required");
    auto ch = body["channel"].is_string() ? parse_channel(body["channel"].get<std::string>()) : std::nullopt;
    if (!ch) return Error::invalid("channel", "must be one of voice, chat, email, sms, fax, callback, case");
    auto qid = req_int(body, "queue", 1, INT64_MAX);
    if (!qid) return qid.error();
    auto qit = t.dir.queues.find(QueueId(*qid));
    if (qit == t.dir.queues.end()) return Error::invalid("queue", fmt::format("no queue with id {}", *qid));
    const r::QueueConfig& q = qit->second;
    if (!q.enabled) return Error::invalid("queue", fmt::format("queue '{}' is disabled", q.name));
    if (!q.channels.empty() && std::find(q.channels.begin(), q.channels.end(), *ch) == q.channels.end())
      return Error::invalid("channel", fmt::format("queue '{}' does not take {}", q.name, to_string(*ch)));
    int priority = 0;
    if (body.contains("priority")) {
      auto p = req_int(body, "priority", -100, 100);
      if (!p) return p.error();
      priority = static_cast<int>(*p);
    }
    auto from = req_string(body, "from", 320, false);
    if (!from) return from.error();
    auto subject = req_string(body, "subject", 1000, false);
    if (!subject) return subject.error();
    if (body.contains("data") && !body["data"].is_object()) return Error::invalid("data", "must be an object");
    CustomerId customer;
    if (body.contains("customer") && !body["customer"].is_null()) {
      auto c = req_int(body, "customer", 1, INT64_MAX);
      if (!c) return c.error();
      if (!t.core_store().customer(CustomerId(*c)))
        return Error::invalid("customer", fmt::format("no customer with id {}", *c));
      customer = CustomerId(*c);
    } else if (!from->empty()) {
      if (auto c = t.core_store().customer_by_contact(*from)) customer = c->id;  // screen pop by caller id
    }

    auto id = t.new_id("interactions");
    if (!id) return id.error();
    store::InteractionRecord rec;
    rec.id = InteractionId(*id);
    rec.channel = std::string(to_string(*ch));
    rec.queue = q.id;
    rec.state = "queued";
    rec.priority = priority;
    rec.customer = customer;
    rec.from = *from;
    rec.subject = *subject;
    rec.created = t.now;
    rec.enqueued = t.now;
    rec.data_json = body.value("data", json::object()).dump();
    t.add_interaction(rec);

    r::InteractionSpec spec;
    spec.id = rec.id;
    spec.channel = *ch;
    spec.queue = q.id;
    spec.priority = priority;
    spec.customer = customer;
    spec.from = *from;
    if (auto s = t.engine.arrive(spec, t.now); !s) return s.error();
    t.audit("interaction.create", target(rec.id), {{"channel", rec.channel}, {"queue", q.id.value}});
    return reply(t, rec.id);
  };
}

Core::Fn accept(InteractionId i, AgentId a) {
  return [=](Txn& t) -> Core::Value {
    if (auto s = check_self(t.actor, a); !s) return s.error();
    if (auto s = t.engine.accept(i, a, t.now); !s) return s.error();
    t.audit("interaction.accept", target(i), {{"agent", a.value}});
    return reply(t, i);
  };
}

Core::Fn reject(InteractionId i, AgentId a) {
  return [=](Txn& t) -> Core::Value {
    if (auto s = check_self(t.actor, a); !s) return s.error();
    if (auto s = t.engine.reject(i, a, t.now); !s) return s.error();
    t.audit("interaction.reject", target(i), {{"agent", a.value}});
    return reply(t, i);
  };
}

Core::Fn end_conversation(InteractionId i) {
  return simple(i, "interaction.end", true, [i](Txn& t) { return t.engine.end_conversation(i, t.now); });
}

Core::Fn complete(InteractionId i, json body) {
  return [i, body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"disposition", "notes"}); !s) return s.error();
    if (auto s = check_holder(t, i); !s) return s.error();
    auto disp = req_string(body, "disposition", 40);
    if (!disp) return disp.error();
    if (!t.dir.disposition(*disp))
      return Error::invalid("disposition", fmt::format("'{}' is not an enabled disposition code", *disp));
    auto notes = req_string(body, "notes", 20000, false);
    if (!notes) return notes.error();
    auto snap = t.engine.interaction(i, t.now);
    if (!snap->agent) return Error::conflict("the interaction has no agent");
    AgentId agent = *snap->agent;
    store::InteractionRecord* rec = t.interaction(i);
    if (!rec) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    // complete() ends a connected interaction as well as one in wrap-up.
    if (auto s = t.engine.complete(i, agent, t.now); !s) return s.error();
    rec->disposition = *disp;
    rec->notes = *notes;
    t.audit("interaction.complete", target(i), {{"disposition", *disp}});
    return reply(t, i);
  };
}

Core::Fn update_notes(InteractionId i, json body) {
  return [i, body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"notes"}); !s) return s.error();
    auto notes = req_string(body, "notes", 20000, false);
    if (!notes) return notes.error();
    if (!body.contains("notes")) return Error::invalid("notes", "is required");
    if (auto s = check_holder(t, i); !s) return s.error();
    store::InteractionRecord* rec = t.interaction(i);
    if (!rec) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    rec->notes = *notes;
    t.audit("interaction.notes", target(i));
    return reply(t, i);
  };
}

Core::Fn post_message(InteractionId i, json body, bool from_customer) {
  return [i, body = std::move(body), from_customer](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"text"}); !s) return s.error();
    auto text = req_string(body, "text", 4000);
    if (!text) return text.error();
    auto snap = t.engine.interaction(i, t.now);
    if (!snap) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    if (!from_customer) {
      if (auto s = check_holder(t, i); !s) return s.error();
      if (snap->state != r::InteractionState::kConnected)
        return Error::conflict("messages can be sent only while the conversation is connected");
    }
    json data{{"interaction", i.value},
              {"from", from_customer ? "customer" : "agent"},
              {"text", *text},
              {"at", to_iso8601(t.now)}};
    if (!from_customer && t.actor.user) data["user"] = t.actor.user->value;
    t.event("chat.message", data, i, snap->agent, snap->queue);
    return data;
  };
}

Core::Fn transfer(InteractionId i, json body) {
  return [i, body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"queue", "agent"}); !s) return s.error();
    if (auto s = check_holder(t, i); !s) return s.error();
    if (body.contains("queue") == body.contains("agent"))
      return Error::invalid("queue", "give exactly one of queue or agent");
    if (body.contains("queue")) {
      auto q = req_int(body, "queue", 1, INT64_MAX);
      if (!q) return q.error();
      if (!t.dir.queues.count(QueueId(*q))) return Error::invalid("queue", fmt::format("no queue with id {}", *q));
      if (auto s = t.engine.transfer_to_queue(i, QueueId(*q), t.now); !s) return s.error();
      t.audit("interaction.transfer", target(i), {{"queue", *q}});
    } else {
      auto a = req_int(body, "agent", 1, INT64_MAX);
      if (!a) return a.error();
      if (auto s = check_agent_exists(t.dir, AgentId(*a)); !s) return Error::invalid("agent", s.error().message);
      if (auto s = t.engine.transfer_to_agent(i, AgentId(*a), t.now); !s) return s.error();
      t.audit("interaction.transfer", target(i), {{"agent", *a}});
    }
    return reply(t, i);
  };
}

Core::Fn callback(InteractionId i, json body) {
  return [i, body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"number"}); !s) return s.error();
    auto number = req_string(body, "number", 40);
    if (!number) return number.error();
    if (auto s = check_phone(*number, "number"); !s) return s.error();
    if (!t.engine.interaction(i, t.now)) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    if (auto s = t.engine.convert_to_callback(i, *number, t.now); !s) return s.error();
    t.audit("interaction.callback", target(i), {{"number", *number}});
    return reply(t, i);
  };
}

Core::Fn schedule_callback(InteractionId i, json body) {
  return [i, body = std::move(body)](Txn& t) -> Core::Value {
    if (auto s = only_fields(body, {"at", "number", "notes", "mine", "queue"}); !s) return s.error();
    if (auto s = check_holder(t, i); !s) return s.error();
    const store::InteractionRecord* origin = t.interaction(i);
    if (!origin) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    auto at_text = req_string(body, "at", 40);
    if (!at_text) return at_text.error();
    auto at = parse_iso8601(*at_text);
    if (!at) return Error::invalid("at", "must be a time like 2026-11-23T09:30:00Z");
    if (*at < t.now - std::chrono::minutes(1)) return Error::invalid("at", "must not be in the past");
    if (*at > t.now + std::chrono::days(366)) return Error::invalid("at", "must be within a year");
    auto number = req_string(body, "number", 40, false);
    if (!number) return number.error();
    std::string to = number->empty() ? origin->from : *number;
    if (to.empty()) return Error::invalid("number", "is required: the interaction has no caller number");
    if (auto s = check_phone(to, "number"); !s) return s.error();
    auto notes = req_string(body, "notes", 2000, false);
    if (!notes) return notes.error();
    QueueId queue = origin->queue;
    if (body.contains("queue")) {
      auto q = req_int(body, "queue", 1, INT64_MAX);
      if (!q) return q.error();
      if (!t.dir.queues.count(QueueId(*q))) return Error::invalid("queue", fmt::format("no queue with id {}", *q));
      queue = QueueId(*q);
    }
    std::optional<AgentId> mine;
    if (body.contains("mine")) {
      if (!body["mine"].is_boolean()) return Error::invalid("mine", "must be true or false");
      if (body["mine"].get<bool>()) {
        auto snap = t.engine.interaction(i, t.now);
        if (snap && snap->agent) mine = *snap->agent;
      }
    }
    auto id = t.new_id("interactions");
    if (!id) return id.error();
    store::InteractionRecord rec;
    rec.id = InteractionId(*id);
    rec.channel = "callback";
    rec.queue = queue;
    rec.priority = origin->priority;
    rec.customer = origin->customer;
    rec.from = to;
    rec.subject = origin->subject;
    rec.created = t.now;
    rec.enqueued = *at;
    rec.callback = true;
    rec.notes = *notes;
    json data{{"due", to_iso8601(*at)}, {"origin", i.value}};
    if (mine) data["agent"] = mine->value;
    rec.data_json = data.dump();
    json out = to_json(rec);
    out["state"] = "scheduled";
    t.schedule(rec, *at, mine);
    t.event("callback.scheduled", data, rec.id, mine, queue);
    t.audit("interaction.schedule_callback", target(i), {{"callback", rec.id.value}, {"at", to_iso8601(*at)}});
    return out;
  };
}

Core::Fn abandon(InteractionId i) {
  return simple(i, "interaction.abandon", false, [i](Txn& t) { return t.engine.abandon(i, t.now); });
}

Core::Fn cancel(InteractionId i) {
  return [i](Txn& t) -> Core::Value {
    if (t.unschedule(i)) {
      t.audit("interaction.cancel", target(i), {{"scheduled", true}});
      return json{{"id", i.value}, {"state", "ended"}, {"end_reason", "cancelled"}};
    }
    if (!t.engine.interaction(i, t.now)) return Error::not_found(fmt::format("interaction {} is not open", i.value));
    if (auto s = t.engine.cancel(i, t.now); !s) return s.error();
    t.audit("interaction.cancel", target(i));
    return reply(t, i);
  };
}

}  // namespace sb::service::commands
