#include "service/event_json.h"

#include <type_traits>

namespace sb::service {

using nlohmann::json;
namespace r = routing;

namespace {

double secs(Duration d) { return to_seconds(d); }

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

json to_json(const r::Event& ev) {
  json j = std::visit(
      Overloaded{
          [](const r::InteractionQueued& e) {
            return json{{"interaction", e.interaction.value}, {"queue", e.queue.value},
                        {"channel", to_string(e.channel)}, {"position", e.position}};
          },
          [](const r::Offered& e) {
            json agents = json::array();
            for (auto a : e.agents) agents.push_back(a.value);
            return json{{"interaction", e.interaction.value}, {"queue", e.queue.value},
                        {"agents", agents}, {"expires", to_iso8601(e.expires)}};
          },
          [](const r::OfferRevoked& e) {
            return json{{"interaction", e.interaction.value}, {"agent", e.agent.value}};
          },
          [](const r::OfferTimedOut& e) {
            return json{{"interaction", e.interaction.value}, {"agent", e.agent.value}};
          },
          [](const r::OfferRejected& e) {
            return json{{"interaction", e.interaction.value}, {"agent", e.agent.value}};
          },
          [](const r::Accepted& e) {
            return json{{"interaction", e.interaction.value}, {"agent", e.agent.value},
                        {"queue", e.queue.value}, {"waited", secs(e.waited)}};
          },
          [](const r::Overflowed& e) {
            return json{{"interaction", e.interaction.value}, {"from", e.from.value},
                        {"to", e.to.value}, {"why", e.why}};
          },
          [](const r::Transferred& e) {
            json j{{"interaction", e.interaction.value}, {"to_queue", e.to_queue.value}};
            if (e.from_agent) j["from_agent"] = e.from_agent->value;
            if (e.to_agent) j["to_agent"] = e.to_agent->value;
            return j;
          },
          [](const r::ConvertedToCallback& e) {
            return json{{"interaction", e.interaction.value}, {"queue", e.queue.value}, {"number", e.number}};
          },
          [](const r::InteractionEnded& e) {
            json j{{"interaction", e.interaction.value}, {"queue", e.queue.value},
                   {"reason", to_string(e.reason)}, {"waited", secs(e.waited)}};
            if (e.agent) j["agent"] = e.agent->value;
            return j;
          },
          [](const r::ConversationEnded& e) {
            return json{{"interaction", e.interaction.value}, {"agent", e.agent.value}};
          },
          [](const r::AgentStateChanged& e) {
            return json{{"agent", e.agent.value}, {"from", to_string(e.from)}, {"to", to_string(e.to)},
                        {"reason", e.reason}};
          },
      },
      ev);
  j["type"] = std::string(r::event_type(ev));
  return j;
}

std::vector<AgentId> agents_of(const r::Event& ev) {
  return std::visit(
      [](const auto& e) -> std::vector<AgentId> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, r::Offered>) {
          return e.agents;
        } else if constexpr (std::is_same_v<T, r::Transferred>) {
          std::vector<AgentId> v;
          if (e.from_agent) v.push_back(*e.from_agent);
          if (e.to_agent) v.push_back(*e.to_agent);
          return v;
        } else if constexpr (std::is_same_v<T, r::InteractionEnded>) {
          if (e.agent) return {*e.agent};
          return {};
        } else if constexpr (requires { e.agent; }) {
          return {e.agent};
        } else {
          return {};
        }
      },
      ev);
}

std::optional<InteractionId> interaction_of(const r::Event& ev) {
  return std::visit(
      [](const auto& e) -> std::optional<InteractionId> {
        if constexpr (requires { e.interaction; }) return e.interaction;
        return std::nullopt;
      },
      ev);
}

std::optional<QueueId> queue_of(const r::Event& ev) {
  return std::visit(
      [](const auto& e) -> std::optional<QueueId> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, r::Overflowed>) return e.to;
        else if constexpr (std::is_same_v<T, r::Transferred>) return e.to_queue;
        else if constexpr (requires { e.queue; }) return e.queue;
        return std::nullopt;
      },
      ev);
}

json to_json(const r::AgentSnapshot& a) {
  json load = json::object();
  for (Channel c : kAllChannels)
    if (a.load[c]) load[std::string(to_string(c))] = a.load[c];
  json ints = json::array();
  for (auto i : a.interactions) ints.push_back(i.value);
  json j{{"id", a.id.value},
         {"name", a.name},
         {"state", to_string(a.state)},
         {"reason", a.reason},
         {"state_since", a.state_since == TimePoint{} ? json(nullptr) : json(to_iso8601(a.state_since))},
         {"load", load},
         {"interactions", ints}};
  j["offer"] = a.offer ? json(a.offer->value) : json(nullptr);
  j["offer_expires"] = a.offer_expires ? json(to_iso8601(*a.offer_expires)) : json(nullptr);
  j["wrapup_ends"] = a.wrapup_ends ? json(to_iso8601(*a.wrapup_ends)) : json(nullptr);
  return j;
}

json to_json(const r::InteractionSnapshot& i) {
  json j{{"id", i.id.value},
         {"channel", to_string(i.channel)},
         {"queue", i.queue.value},
         {"priority", i.priority},
         {"state", to_string(i.state)},
         {"enqueued", to_iso8601(i.enqueued)},
         {"position", i.position},
         {"estimated_wait", secs(i.estimated_wait)},
         {"from", i.from},
         {"callback", i.callback}};
  j["agent"] = i.agent ? json(i.agent->value) : json(nullptr);
  j["customer"] = i.customer ? json(i.customer.value) : json(nullptr);
  return j;
}

json to_json(const r::QueueSnapshot& q) {
  return json{{"id", q.id.value},
              {"name", q.name},
              {"waiting", q.waiting},
              {"longest_wait", secs(q.longest_wait)},
              {"agents_logged_in", q.agents_logged_in},
              {"agents_ready", q.agents_ready},
              {"offered", q.offered},
              {"answered", q.answered},
              {"answered_in_sl", q.answered_in_sl},
              {"abandoned", q.abandoned},
              {"avg_handle_time", secs(q.avg_handle_time)}};
}

}  // namespace sb::service
