// Agent legs: the ACD's offers ring agents' phones; answers, rejections and
// hang-ups go back to the ACD as commands; routing events end or move calls.
#include "telephony/impl.h"

namespace sb::telephony {

// ---------------------------------------------------------------- agent legs
void Telephony::Impl::on_offer_created(InteractionId iid, const std::vector<AgentId>& agents) {
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end()) {
    bool creating = false;
    for (auto& [id, c] : calls) creating |= c->state == Call::State::kCreating;
    if (creating) early_offers[iid.value] = agents;
    return;
  }
  Call& c = *it->second;
  if (c.state != Call::State::kWaiting) return;
  for (AgentId a : agents) ring_agent(c, a);
}

void Telephony::Impl::ring_agent(Call& c, AgentId agent) {
  if (c.agents.contains(agent.value)) return;
  auto login = login_by_agent.find(agent.value);
  if (login == login_by_agent.end()) return;
  // A consultative transfer completing: the consulted party is already on the line.
  if (c.consult && c.consult->agent == agent && c.consult->established && !c.consult->closed) {
    std::unique_ptr<Leg> leg = std::move(c.consult);
    leg->consult = false;
    Leg& adopted = *leg;
    c.agents.emplace(agent.value, std::move(leg));
    spdlog::info("[sip][call={}][agent={}] consulted party takes the call", c.id, login->second);
    on_agent_answered(adopted);
    return;
  }
  std::string extra = fmt::format("X-Switchboard-Interaction: {}\r\nX-Switchboard-Number: {}\r\n",
                                  c.interaction->value, uri_user(c.number));
  auto leg = dial_phone(c, login->second, extra);
  if (!leg) return;
  leg->agent = agent;
  c.agents.emplace(agent.value, std::move(leg));
}

std::unique_ptr<Leg> Telephony::Impl::dial_phone(Call& c, const std::string& login, const std::string& extra) {
  auto contact = registrar.contact(login, now_s());
  if (!contact) {
    spdlog::info("[sip][call={}][user={}] no registered phone; the offer stays on the desktop", c.id, login);
    return nullptr;
  }
  auto leg = new_leg(&c);
  if (!leg) return nullptr;
  leg->dtmf_pt = c.caller->dtmf_pt;  // keys pass through the bridge with the caller's payload type
  // The caller's codec first; the other one too: the relay transcodes PCMU <-> PCMA.
  std::vector<Codec> codecs{Codec::kPcmu, Codec::kPcma};
  if (c.codec_known && c.caller->codec == Codec::kPcma) codecs = {Codec::kPcma, Codec::kPcmu};
  mbuf* desc = make_mbuf(local_sdp(*leg, codecs));
  std::string from_user = uri_user(c.from);
  std::string from_uri = fmt::format("sip:{}@{}", from_user, contact_host);
  int err = sipsess_connect(&leg->sess, sess_sock, contact->c_str(), from_user.c_str(), from_uri.c_str(),
                            "switchboard", nullptr, 0, "application/sdp", desc, nullptr, nullptr, false,
                            &Impl::on_offer, &Impl::on_answer, &Impl::on_progress, &Impl::on_estab, nullptr,
                            &Impl::on_refer, &Impl::on_close, leg.get(), "%s", extra.c_str());
  mem_deref(desc);
  if (err) {
    spdlog::warn("[sip][call={}][user={}] cannot ring {}: {}", c.id, login, *contact, std::strerror(err));
    return nullptr;
  }
  leg->dialogs = &dialogs_gauge;
  dialogs_gauge.inc();
  spdlog::info("[sip][call={}][user={}] ringing {}", c.id, login, *contact);
  return leg;
}

// Removes one agent leg (CANCEL if ringing, BYE if answered) after the current handler.
void Telephony::Impl::drop_agent_leg(Call& c, std::int64_t agent) {
  auto it = c.agents.find(agent);
  if (it == c.agents.end()) return;
  it->second->closed = true;
  it->second->rtp->close();
  if (c.bridged == it->second.get()) c.bridged = nullptr;
  reroute(c);
  std::uint64_t id = c.id;
  post([this, id, agent] {
    if (auto ci = calls.find(id); ci != calls.end()) ci->second->agents.erase(agent);
  });
}

void Telephony::Impl::on_agent_answered(Leg& leg) {
  Call& c = *leg.call;
  if (c.state != Call::State::kWaiting || !c.interaction) {
    drop_agent_leg(c, leg.agent->value);
    return;
  }
  std::uint64_t id = c.id;
  std::int64_t agent = leg.agent->value;
  InteractionId iid = *c.interaction;
  execute(cmd::accept(iid, *leg.agent), [this, id, agent, iid](Core::Value v) {
    auto ci = calls.find(id);
    Leg* answered = nullptr;
    if (ci != calls.end())
      if (auto li = ci->second->agents.find(agent); li != ci->second->agents.end()) answered = li->second.get();
    if (!answered || answered->closed) {
      // The phone or the caller hung up while the accept was in flight, but the
      // ACD connected the interaction: end the conversation (and the caller's
      // leg), or the agent would stay connected to nothing and get no offers.
      if (v) {
        spdlog::info("[sip][call={}][agent={}] hung up before the bridge", id, agent);
        execute(cmd::end_conversation(iid), nullptr);
        if (ci != calls.end()) end_call(id);
      }
      return;
    }
    Call& call = *ci->second;
    auto li = call.agents.find(agent);
    if (!v) {
      spdlog::info("[sip][call={}][agent={}] accept refused: {}", id, agent, v.error().message);
      drop_agent_leg(call, agent);
      return;
    }
    call.state = Call::State::kBridged;
    call.bridged = li->second.get();
    start_recording(call);
    for (auto& [other, l] : call.agents)
      if (other != agent) drop_agent_leg(call, other);
    reroute(call);
    spdlog::info("[sip][call={}][agent={}] bridged", id, agent);
  });
}

void Telephony::Impl::on_agent_closed(Leg& leg, int err, const sip_msg* msg) {
  Call& c = *leg.call;
  std::int64_t agent = leg.agent->value;
  std::uint16_t scode = msg && !msg->req ? msg->scode : 0;
  leg.closed = true;
  reroute(c);
  if (c.bridged == &leg) {
    if (c.consult && c.consult->established && !c.consult->closed && c.interaction) {
      // Hanging up during an answered consultation completes the transfer (as desk phones do).
      spdlog::info("[sip][call={}][agent={}] agent hung up while consulting: transferring", c.id, agent);
      c.bridged = nullptr;
      drop_agent_leg(c, agent);
      execute(cmd::transfer(*c.interaction, {{"agent", c.consult->agent->value}}), nullptr);
      return;
    }
    spdlog::info("[sip][call={}][agent={}] agent hung up", c.id, agent);
    execute(cmd::end_conversation(*c.interaction), nullptr);
    end_call(c.id);
    return;
  }
  spdlog::info("[sip][call={}][agent={}] agent leg closed: {}", c.id, agent,
               scode ? std::to_string(scode) : std::string(err ? std::strerror(err) : "closed"));
  if ((scode == 486 || scode == 600 || scode == 603) && c.interaction && c.state == Call::State::kWaiting)
    execute(cmd::reject(*c.interaction, AgentId(agent)), nullptr);
  // Other failures (unreachable phone, 404, timeouts) leave the offer to the ACD's timeout ("missed").
  drop_agent_leg(c, agent);
}

// ---------------------------------------------------------------- routing events (SIP thread)
void Telephony::Impl::on_event(const std::string& type, const json& d) {
  on_outbound_event(type, d);  // callbacks dial out (outbound.cc)
  if (!d.contains("interaction")) return;
  InteractionId iid(d["interaction"].get<std::int64_t>());
  if (type == "offer.created") {
    std::vector<AgentId> agents;
    for (const auto& a : d["agents"]) agents.emplace_back(a.get<std::int64_t>());
    on_offer_created(iid, agents);
    return;
  }
  if (type == "offer.revoked" || type == "offer.timed_out" || type == "offer.rejected") {
    std::int64_t agent = d["agent"].get<std::int64_t>();
    if (auto e = early_offers.find(iid.value); e != early_offers.end())
      std::erase(e->second, AgentId(agent));
    auto it = call_by_interaction.find(iid.value);
    if (it == call_by_interaction.end()) return;
    Call& c = *it->second;
    if (c.bridged && c.bridged->agent->value == agent) return;
    drop_agent_leg(c, agent);
    return;
  }
  auto it = call_by_interaction.find(iid.value);
  if (it == call_by_interaction.end()) return;
  Call& c = *it->second;
  if (type == "interaction.ended" || (type == "conversation.ended" && c.state == Call::State::kBridged)) {
    spdlog::info("[sip][call={}][interaction={}] {}: hanging up", c.id, iid.value, type);
    end_call(c.id);
  } else if (type == "interaction.transferred" && c.state == Call::State::kBridged) {
    // Back in a queue: the agent leg ends, the caller hears music again (a
    // consulted party who is the new target stays on the line: ring_agent adopts them).
    if (c.consult && (!d.contains("to_agent") || d["to_agent"].get<std::int64_t>() != c.consult->agent->value))
      end_consult(c, "transferred elsewhere");
    if (c.bridged) {
      if (c.bridged->refer_pending) notify_refer(*c.bridged, 200, "OK");
      drop_agent_leg(c, c.bridged->agent->value);
    }
    stop_recording(c);
    c.held = false;
    c.state = Call::State::kWaiting;
    reroute(c);  // the caller's keys go to the IVR again, and music plays
  }
}

}  // namespace sb::telephony
