// Inbound calls: an INVITE to a number (DID) becomes a voice interaction in its queue.
#include "telephony/impl.h"

namespace sb::telephony {

void Telephony::Impl::handle_invite(const sip_msg* msg) {
  // 100 Trying at once, stateless (sip_reply makes no server transaction, so
  // sipsess_accept's below is the only one); the caller stops retransmitting
  // the INVITE whatever the final answer takes.
  (void)sip_reply(sipstack, msg, 100, "Trying");
  if (shutting_down) {
    sip_treply(nullptr, sipstack, msg, 503, "Service Unavailable");
    return;
  }
  std::string number = str(msg->uri.user);
  const std::string* qname = config.queue_for(number);
  if (!qname) {
    // A trunk we register with sends calls to our contact (its account as the
    // Request-URI user): the dialled number is in To.
    std::string to = str(msg->to.uri.user);
    if (const std::string* q = config.queue_for(to)) number = to, qname = q;
  }
  if (!qname) {
    spdlog::info("[sip][invite] no such number '{}'", number);
    sip_treply(nullptr, sipstack, msg, 404, "Not Found");
    return;
  }
  auto qit = queue_by_name.find(*qname);
  if (qit == queue_by_name.end()) {
    spdlog::warn("[sip][invite] number {} maps to unknown queue '{}'", number, *qname);
    refresh_directory();
    sip_treply(nullptr, sipstack, msg, 480, "Temporarily Unavailable");
    return;
  }
  auto call = std::make_unique<Call>();
  call->id = next_call_id++;
  call->number = number;
  call->queue = qit->second;
  call->from = str(msg->from.uri.user);
  if (call->from.empty()) call->from = str(msg->from.auri);
  call->caller = new_leg(call.get());
  if (!call->caller) {
    sip_treply(nullptr, sipstack, msg, 503, "Service Unavailable");
    return;
  }
  Leg& leg = *call->caller;
  std::vector<Codec> codecs{Codec::kPcmu, Codec::kPcma};
  if (mbuf_get_left(msg->mb) > 0) {
    auto audio = apply_remote_sdp(leg, msg);
    if (!audio) {
      bool parse_error = audio.error().field != "m=audio";
      sip_treply(nullptr, sipstack, msg, parse_error ? 400 : 488,
                 parse_error ? "Bad Session Description" : "Not Acceptable Here");
      return;
    }
    codecs = {leg.codec};
  } else {
    call->codec_known = false;  // late offer: we offer in the 200, the ACK answers
    leg.dtmf_pt = kDefaultDtmfPayload;
  }
  mbuf* desc = make_mbuf(local_sdp(leg, codecs));
  int err = sipsess_accept(&leg.sess, sess_sock, msg, 200, "OK", "switchboard", "application/sdp", desc, nullptr,
                           nullptr, false, &Impl::on_offer, &Impl::on_answer, &Impl::on_estab, &Impl::on_info, &Impl::on_refer,
                           &Impl::on_close, &leg, "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, INFO\r\n");
  mem_deref(desc);
  if (err) {
    spdlog::warn("[sip][invite] sipsess_accept: {}", std::strerror(err));
    sip_treply(nullptr, sipstack, msg, 500, "Server Internal Error");
    return;
  }
  leg.dialogs = &dialogs_gauge;
  dialogs_gauge.inc();
  std::uint64_t id = call->id;
  spdlog::info("[sip][call={}] {} -> {} ({}), {}", id, call->from, number, *qname, codec_name(leg.codec));
  Call& c = *call;
  calls.emplace(id, std::move(call));
  calls_gauge.set(static_cast<double>(calls.size()));
  reroute(c);  // the caller's keys reach the IVR
  start_entry(c);
}

void Telephony::Impl::on_created(std::uint64_t call_id, Core::Value v) {
  bool abandoned = abandoned_while_creating.erase(call_id) > 0;
  auto it = calls.find(call_id);
  bool any_creating = false;
  for (auto& [cid, c] : calls)
    if (cid != call_id && c->state == Call::State::kCreating) any_creating = true;
  std::map<std::int64_t, std::vector<AgentId>> early;
  if (any_creating) early = early_offers;
  else std::swap(early, early_offers);
  if (!v) {
    spdlog::error("[sip][call={}] cannot create the interaction: {}", call_id, v.error().message);
    if (it != calls.end()) end_call(call_id);
    return;
  }
  InteractionId iid((*v)["id"].get<std::int64_t>());
  if (abandoned || it == calls.end()) {
    execute(cmd::abandon(iid), nullptr);
    return;
  }
  Call& c = *it->second;
  c.interaction = iid;
  c.state = Call::State::kWaiting;
  call_by_interaction[iid.value] = &c;
  spdlog::info("[sip][call={}][interaction={}] queued", call_id, iid.value);
  if (auto e = early.find(iid.value); e != early.end()) {
    early_offers.erase(iid.value);
    on_offer_created(iid, e->second);
  }
}

void Telephony::Impl::on_caller_closed(Call& c, int err, const sip_msg* msg) {
  std::uint64_t id = c.id;
  spdlog::info("[sip][call={}] caller hung up ({})", id, msg ? str(msg->met) : std::string(err ? std::strerror(err) : "closed"));
  switch (c.state) {
    case Call::State::kCreating: abandoned_while_creating.insert(id); break;
    case Call::State::kWaiting: execute(cmd::abandon(*c.interaction), nullptr); break;
    case Call::State::kBridged: execute(cmd::end_conversation(*c.interaction), nullptr); break;
    case Call::State::kIvr:      // no interaction yet: hung up in the greeting or menu
    case Call::State::kLeaving:  // already a callback
      break;
  }
  end_call(id);  // the dialog is over: freeing it later sends nothing
}

// Hangs up every leg of a call and forgets it (after the current handler returns).
void Telephony::Impl::end_call(std::uint64_t id) {
  auto it = calls.find(id);
  if (it == calls.end()) return;
  Call& c = *it->second;
  end_monitor(c, "call ended");
  stop_recording(c);
  if (c.caller) c.caller->closed = true;
  if (c.consult) c.consult->closed = true;
  for (auto& [a, l] : c.agents) l->closed = true;
  reroute(c);  // nothing is relayed any more
  if (c.interaction) call_by_interaction.erase(c.interaction->value);
  post([this, id] {
    calls.erase(id);
    calls_gauge.set(static_cast<double>(calls.size()));
  });
}

}  // namespace sb::telephony
