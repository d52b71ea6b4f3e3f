// Transfers of bridged calls.
//
// Blind: the agent's phone sends REFER (RFC 3515) with Refer-To naming a
// number (DID -> its queue), an agent's or supervisor's SIP user, or a queue
// name. We answer 202, NOTIFY "100 Trying", run the ACD's transfer, and
// NOTIFY the outcome ("200 OK", or "503" and the call stays as it was). The
// ACD's interaction.transferred event then hangs up the agent's leg and the
// caller hears music until the next offer rings. (Blind transfer from the API
// is the ACD's transfer route: the same event does the rest.)
//
// Consultative (API): the caller is held, the consulted agent's or
// supervisor's phone rings on a separate leg (Call::consult); once answered,
// the agent and the consulted party talk. Complete = the ACD transfers the
// interaction to the consulted party, whose answered leg is adopted when the
// offer comes (no second ring); cancel = the leg is hung up and the caller
// resumed. The agent hanging up during an answered consultation completes it.
#include "telephony/impl.h"

namespace sb::telephony {

void Telephony::Impl::handle_refer(Leg& leg, const sip_msg* msg) {
  Call& c = *leg.call;
  if (!leg.agent || leg.consult || c.bridged != &leg || c.state != Call::State::kBridged || !c.interaction) {
    sip_reply(sipstack, msg, 403, "Only the agent in the conversation may transfer");
    return;
  }
  const sip_hdr* hdr = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
  if (!hdr) {
    sip_reply(sipstack, msg, 400, "Missing Refer-To");
    return;
  }
  sip_addr addr{};
  if (sip_addr_decode(&addr, &hdr->val) != 0) {
    sip_reply(sipstack, msg, 400, "Bad Refer-To");
    return;
  }
  if (pl_isset(&addr.uri.headers)) {  // Refer-To: <…?Replaces=…>: attended transfer from the phone
    sip_reply(sipstack, msg, 501, "Attended transfer by REFER is not supported; use the API");
    return;
  }
  std::string target = str(addr.uri.user);
  json body;
  std::string what;
  if (const std::string* qname = config.queue_for(target); qname && queue_by_name.contains(*qname)) {
    body = {{"queue", queue_by_name.at(*qname).value}};
    what = "queue " + *qname;
  } else if (auto a = agent_by_login.find(target); a != agent_by_login.end()) {
    body = {{"agent", a->second.value}};
    what = "user " + target;
  } else if (auto q = queue_by_name.find(target); q != queue_by_name.end()) {
    body = {{"queue", q->second.value}};
    what = "queue " + target;
  } else {
    spdlog::info("[sip][call={}] REFER to unknown target '{}'", c.id, target);
    sip_reply(sipstack, msg, 404, "Unknown transfer target");
    return;
  }
  sip_reply(sipstack, msg, 202, "Accepted");
  leg.refer_pending = true;
  notify_refer(leg, 100, "Trying");
  spdlog::info("[sip][call={}][agent={}] REFER: blind transfer to {}", c.id, leg.agent->value, what);
  std::uint64_t id = c.id;
  std::int64_t agent = leg.agent->value;
  execute(cmd::transfer(*c.interaction, body), [this, id, agent](Core::Value v) {
    auto ci = calls.find(id);
    if (ci == calls.end()) return;
    auto li = ci->second->agents.find(agent);
    if (li == ci->second->agents.end() || !li->second->refer_pending) return;  // already told
    if (v) return notify_refer(*li->second, 200, "OK");
    spdlog::info("[sip][call={}][agent={}] transfer refused: {}", id, agent, v.error().message);
    notify_refer(*li->second, 503, "Service Unavailable");
  });
}

// NOTIFY (event "refer", message/sipfrag) in the REFERring leg's dialog; a
// final status ends the implicit subscription.
void Telephony::Impl::notify_refer(Leg& leg, std::uint16_t scode, const char* reason) {
  if (!leg.sess) return;
  bool final = scode >= 200;
  if (final) leg.refer_pending = false;
  std::string frag = fmt::format("SIP/2.0 {} {}\r\n", scode, reason);
  int err = sip_drequestf(nullptr, sipstack, true, "NOTIFY", sipsess_dialog(leg.sess), 0, nullptr, nullptr, nullptr,
                          nullptr,
                          "Contact: <sip:switchboard@%s>\r\nEvent: refer\r\nSubscription-State: %s\r\n"
                          "Content-Type: message/sipfrag;version=2.0\r\nContent-Length: %zu\r\n\r\n%s",
                          contact_host.c_str(), final ? "terminated;reason=noresource" : "active;expires=60",
                          frag.size(), frag.c_str());
  if (err) spdlog::warn("[sip] NOTIFY for REFER: {}", std::strerror(err));
}

Result<json> Telephony::Impl::start_consult(Call& c, AgentId target) {
  if (c.consult) return Error::conflict("a consultation is already in progress");
  auto login = login_by_agent.find(target.value);
  if (login == login_by_agent.end()) {
    refresh_directory();
    return Error::not_found(fmt::format("no user {}", target.value));
  }
  if (c.bridged && c.bridged->agent == target) return Error::conflict("cannot consult the agent on the call");
  std::string from = c.bridged && login_by_agent.contains(c.bridged->agent->value)
                         ? login_by_agent.at(c.bridged->agent->value)
                         : std::string("agent");
  std::string extra = fmt::format("X-Switchboard-Interaction: {}\r\nX-Switchboard-Consult: {}\r\n",
                                  c.interaction->value, uri_user(from));
  auto leg = dial_phone(c, login->second, extra);
  if (!leg) return Error::conflict(fmt::format("{} has no registered phone", login->second));
  leg->agent = target;
  leg->consult = true;
  c.consult = std::move(leg);
  set_held(c, true);
  execute(note_event(*c.interaction, "consult.started",
                     {{"interaction", c.interaction->value}, {"agent", target.value}}),
          nullptr);
  return json::object();
}

void Telephony::Impl::on_consult_answered(Leg& leg) {
  Call& c = *leg.call;
  if (c.consult.get() != &leg || c.state != Call::State::kBridged) return;
  spdlog::info("[sip][call={}][agent={}] consultation answered", c.id, leg.agent->value);
  leg.rtp->mark();
  if (c.bridged) c.bridged->rtp->mark();
  reroute(c);  // the agent and the consulted party hear each other
  execute(note_event(*c.interaction, "consult.answered",
                     {{"interaction", c.interaction->value}, {"agent", leg.agent->value}}),
          nullptr);
}

void Telephony::Impl::on_consult_closed(Leg& leg) {
  Call& c = *leg.call;
  if (c.consult.get() != &leg) {
    leg.closed = true;
    return;
  }
  end_consult(c, leg.established ? "hung up" : "not answered");
  set_held(c, false);  // back to the caller
}

void Telephony::Impl::end_consult(Call& c, const char* why) {
  if (!c.consult || c.consult->closed) return;
  c.consult->closed = true;
  c.consult->rtp->close();
  reroute(c);
  spdlog::info("[sip][call={}] consultation ended: {}", c.id, why);
  if (c.interaction)
    execute(note_event(*c.interaction, "consult.ended",
                       {{"interaction", c.interaction->value}, {"agent", c.consult->agent->value}, {"why", why}}),
            nullptr);
  std::uint64_t id = c.id;
  post([this, id] {  // freed after the current handler (BYE or CANCEL if still up)
    auto ci = calls.find(id);
    if (ci != calls.end() && ci->second->consult && ci->second->consult->closed) ci->second->consult.reset();
  });
}

}  // namespace sb::telephony
