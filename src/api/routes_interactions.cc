// Interactions of every channel, and the customers they belong to. Agents see
// and handle only their own interactions (offered to them or handled by them).
#include <fmt/format.h>

#include "api/context.h"
#include "api/query_params.h"
#include "service/commands.h"
#include "service/event_json.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;
namespace cmd = service::commands;

namespace {

void create(Call& c) {
  if (auto b = c.body()) c.run(cmd::create_interaction(*b), 201);
}

void list(Call& c) {
  store::InteractionQuery q;
  QueryParams p(c);
  q.from = p.time("from");
  q.to = p.time("to");
  if (auto v = p.integer("queue", 1, INT64_MAX)) q.queue = QueueId(*v);
  if (auto v = p.integer("agent", 1, INT64_MAX)) q.agent = AgentId(*v);
  if (auto v = p.integer("customer", 1, INT64_MAX)) q.customer = CustomerId(*v);
  if (auto v = p.integer("limit", 1, 1000)) q.limit = static_cast<int>(*v);
  if (p.failed()) return;
  q.open_only = c.req.query.count("open") && c.req.query.at("open") != "false";
  if (auto o = c.req.query.find("order"); o != c.req.query.end()) {
    if (o->second != "oldest" && o->second != "newest")
      return c.fail(Error::invalid("order", "must be oldest or newest"));
    q.newest_first = o->second == "newest";
  }
  if (!c.may(Permission::kInteractionsReadAll)) q.agent = AgentId(c.who.id.value);  // own only
  json a = json::array();
  for (const auto& rec : c.ctx->store.interactions(q)) a.push_back(service::to_json(rec));
  c.ok(a);
}

// Loads the interaction and checks the caller may see it; answers otherwise.
// Live state (position, estimated wait, current agent) comes from the engine.
void with_visible(Call& c, std::function<void(json)> then) {
  auto id = c.id_param();
  if (!id) return;
  InteractionId i(*id);
  c.query(
      [i](const routing::Engine& e, const service::Directory&, TimePoint now) {
        auto snap = e.interaction(i, now);
        return snap ? service::to_json(*snap) : json(nullptr);
      },
      [c, i, then](json live) {
        auto rec = c.ctx->store.interaction(i);
        if (!rec) return c.fail(Error::not_found(fmt::format("interaction {} not found", i.value)));
        json j = service::to_json(*rec);
        if (!live.is_null()) {
          for (const char* k : {"state", "queue", "agent", "position", "estimated_wait"}) j[k] = live[k];
        }
        if (!c.may(Permission::kInteractionsReadAll)) {
          bool mine = (rec->agent && rec->agent->value == c.who.id.value) ||
                      (j["agent"].is_number() && j["agent"].get<std::int64_t>() == c.who.id.value);
          if (!mine) return c.fail(Error{ErrorCode::kPermissionDenied, "the interaction is not yours", "id"});
        }
        then(std::move(j));
      });
}

void get(Call& c) {
  with_visible(c, [c](json j) {
    // Screen pop: the customer's card and last interactions.
    if (c.may(Permission::kCustomersRead) && j["customer"].is_number()) {
      CustomerId cid(j["customer"].get<std::int64_t>());
      if (auto cust = c.ctx->store.customer(cid)) {
        json card = service::to_json(*cust);
        store::InteractionQuery q;
        q.customer = cid;
        q.limit = 10;
        q.newest_first = true;
        json hist = json::array();
        for (const auto& h : c.ctx->store.interactions(q))
          if (h.id.value != j["id"].get<std::int64_t>()) hist.push_back(service::to_json(h));
        card["history"] = hist;
        j["customer_card"] = card;
      }
    }
    c.ok(j);
  });
}

void events(Call& c) {
  with_visible(c, [c](json j) {
    store::EventQuery q;
    q.interaction = InteractionId(j["id"].get<std::int64_t>());
    json a = json::array();
    for (const auto& e : c.ctx->store.events(q)) a.push_back(service::to_json(e));
    c.ok(a);
  });
}

void messages(Call& c) {
  with_visible(c, [c](json j) {
    store::EventQuery q;
    q.interaction = InteractionId(j["id"].get<std::int64_t>());
    q.limit = 5000;
    json a = json::array();
    for (const auto& e : c.ctx->store.events(q))
      if (e.type == "chat.message") a.push_back(service::to_json(e)["data"]);
    c.ok(a);
  });
}

// An agent writes as the agent; an integration (interactions.create) relays the customer's words.
void post_message(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  auto b = c.body();
  if (!b) return;
  bool customer = c.req.query_param("from") == "customer";
  if (customer && !c.may(Permission::kInteractionsCreate))
    return c.fail(Error{ErrorCode::kPermissionDenied, "only integrations may write as the customer", "from"});
  c.run(cmd::post_message(InteractionId(*id), *b, customer), 201);
}

// The agent an accept/reject is for: the caller, or {agent} from a supervisor.
std::optional<AgentId> acting_agent(Call& c) {
  if (c.req.body.empty()) return AgentId(c.who.id.value);
  auto b = c.body();
  if (!b) return std::nullopt;
  if (auto s = service::only_fields(*b, {"agent"}); !s) {
    c.fail(s.error());
    return std::nullopt;
  }
  if (!b->contains("agent")) return AgentId(c.who.id.value);
  auto a = service::req_int(*b, "agent", 1, INT64_MAX);
  if (!a) {
    c.fail(a.error());
    return std::nullopt;
  }
  return AgentId(*a);
}

template <service::Core::Fn (*Make)(InteractionId, AgentId)>
void offer_answer(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto a = acting_agent(c)) c.run(Make(InteractionId(*id), *a));
}

template <service::Core::Fn (*Make)(InteractionId)>
void plain(Call& c) {
  if (auto id = c.id_param()) c.run(Make(InteractionId(*id)));
}

template <service::Core::Fn (*Make)(InteractionId, json)>
void with_body(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  if (auto b = c.body()) c.run(Make(InteractionId(*id), *b));
}

// --- customers ---
void search_customers(Call& c) {
  auto it = c.req.query.find("q");
  std::string q = it == c.req.query.end() ? "" : it->second;
  if (q.size() > 200) return c.fail(Error::invalid("q", "must be at most 200 bytes"));
  json a = json::array();
  for (const auto& cust : c.ctx->store.customers(q, 50)) a.push_back(service::to_json(cust));
  c.ok(a);
}

void get_customer(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  auto cust = c.ctx->store.customer(CustomerId(*id));
  if (!cust) return c.fail(Error::not_found(fmt::format("customer {} not found", *id)));
  json j = service::to_json(*cust);
  store::InteractionQuery q;
  q.customer = cust->id;
  q.limit = 50;
  q.newest_first = true;
  json hist = json::array();
  for (const auto& h : c.ctx->store.interactions(q)) hist.push_back(service::to_json(h));
  j["history"] = hist;
  c.ok(j);
}

}  // namespace

std::vector<ApiRoute> interaction_routes() {
  using P = Permission;
  return {
      {"POST", "/api/interactions", P::kInteractionsCreate, true, "createInteraction",
       "Create an inbound interaction of any channel; it is queued and routed", "interactions", create},
      {"GET", "/api/interactions", P::kInteractionsReadOwn, true, "listInteractions",
       "Interactions (?queue, agent, customer, from, to, open, limit, order=oldest|newest); agents see their own", "interactions", list,
       P::kInteractionsReadAll},
      {"GET", "/api/interactions/{id}", P::kInteractionsReadOwn, true, "getInteraction",
       "An interaction with live state and the customer card", "interactions", get, P::kInteractionsReadAll},
      {"GET", "/api/interactions/{id}/events", P::kInteractionsReadOwn, true, "getInteractionEvents",
       "The interaction's event history", "interactions", events, P::kInteractionsReadAll},
      {"PATCH", "/api/interactions/{id}", P::kInteractionsHandleOwn, true, "updateInteractionNotes",
       "Save draft notes ({notes}) on one's open interaction", "interactions", with_body<cmd::update_notes>},
      {"GET", "/api/interactions/{id}/messages", P::kInteractionsReadOwn, true, "listMessages",
       "The chat conversation of an interaction", "interactions", messages, P::kInteractionsReadAll},
      {"POST", "/api/interactions/{id}/messages", P::kInteractionsHandleOwn, true, "postMessage",
       "Send a chat message ({text}); ?from=customer relays the customer's message (integrations)", "interactions",
       post_message, P::kInteractionsCreate},
      {"POST", "/api/interactions/{id}/accept", P::kInteractionsHandleOwn, true, "acceptOffer",
       "Accept the offer", "interactions", offer_answer<cmd::accept>},
      {"POST", "/api/interactions/{id}/reject", P::kInteractionsHandleOwn, true, "rejectOffer",
       "Reject the offer (back to its place in line)", "interactions", offer_answer<cmd::reject>},
      {"POST", "/api/interactions/{id}/end", P::kInteractionsHandleOwn, true, "endConversation",
       "The conversation is over; wrap-up starts", "interactions", plain<cmd::end_conversation>},
      {"POST", "/api/interactions/{id}/complete", P::kInteractionsHandleOwn, true, "completeInteraction",
       "Close with a disposition code and notes", "interactions", with_body<cmd::complete>},
      {"POST", "/api/interactions/{id}/transfer", P::kInteractionsHandleOwn, true, "transferInteraction",
       "Transfer to a queue ({queue}) or an agent ({agent})", "interactions", with_body<cmd::transfer>},
      {"POST", "/api/interactions/{id}/schedule-callback", P::kInteractionsHandleOwn, true, "scheduleCallback",
       "Schedule a callback to the customer ({at, number?, notes?, mine?, queue?})", "interactions",
       with_body<cmd::schedule_callback>},
      {"POST", "/api/interactions/{id}/callback", P::kInteractionsManage, true, "convertToCallback",
       "The customer leaves the line and is called back, keeping their place", "interactions",
       with_body<cmd::callback>},
      {"POST", "/api/interactions/{id}/abandon", P::kInteractionsManage, true, "abandonInteraction",
       "The customer left before being served", "interactions", plain<cmd::abandon>},
      {"POST", "/api/interactions/{id}/cancel", P::kInteractionsManage, true, "cancelInteraction",
       "Remove the interaction administratively", "interactions", plain<cmd::cancel>},
      {"GET", "/api/customers", P::kCustomersRead, true, "searchCustomers",
       "Search customers by name, phone or email in any script (?q=)", "customers", search_customers},
      {"GET", "/api/customers/{id}", P::kCustomersRead, true, "getCustomer", "A customer with history",
       "customers", get_customer},
  };
}

}  // namespace sb::api
