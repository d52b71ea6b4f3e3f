// Dialog legs: the sipsess callbacks shared by caller and agent legs, SDP,
// and the RTP relay between a caller and the bridged agent.
#include "telephony/g711.h"
#include "telephony/impl.h"

namespace sb::telephony {

// ---------------------------------------------------------------- legs
std::unique_ptr<Leg> Telephony::Impl::new_leg(Call* call) {
  auto leg = std::make_unique<Leg>();
  leg->tel = this;
  leg->call = call;
  leg->rtp_in = &Impl::on_rtp;
  if (!call->media) {
    call->media = plane->new_session();
    call->media->tag = call->id;
    call->media->set_player(moh.get(), &rtp_counter("moh"));  // prompts, then music, for the caller
  }
  auto port = plane->open(call->media);
  if (!port) {
    spdlog::error("[sip] {}", port.error().message);
    return nullptr;
  }
  leg->rtp = std::move(*port);
  leg->rtp->owner = leg.get();
  return leg;
}

std::string Telephony::Impl::local_sdp(Leg& leg, std::vector<Codec> codecs, Direction dir) {
  char ip[64] = {0};
  sa_ntop(&media_ip, ip, sizeof ip);
  SdpParams p;
  p.address = ip;
  p.port = leg.rtp->port();
  p.codecs = std::move(codecs);
  p.session_id = leg.rtp->ssrc();
  p.version = leg.sdp_version++;
  p.direction = dir;
  p.dtmf_payload = leg.dtmf_pt;
  return make_sdp(p);
}

// Applies a remote SDP (offer or answer) to a leg. Returns the parsed audio.
Result<SdpAudio> Telephony::Impl::apply_remote_sdp(Leg& leg, const sip_msg* msg) {
  auto audio = parse_sdp(body_of(msg));
  if (!audio) return audio;
  auto codec = choose_codec(*audio);
  if (!codec) return Error::invalid("m=audio", "no PCMU or PCMA");
  leg.codec = *codec;
  leg.rtp->set_codec(*codec);
  leg.dtmf_pt = audio->dtmf_payload;
  // Hold (RFC 3264 c=0.0.0.0 or port 0) leaves the address as it was: music keeps going where the media came from.
  sa remote{};
  if (audio->port != 0 && audio->address != "0.0.0.0" && sa_set_str(&remote, audio->address.c_str(), audio->port) == 0)
    leg.rtp->set_remote(&remote.u.sa, remote.len);
  return audio;
}

int Telephony::Impl::on_offer(mbuf** descp, const sip_msg* msg, void* arg) {  // re-INVITE (hold, resume, refresh)
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) return EINVAL;
  auto audio = leg->tel->apply_remote_sdp(*leg, msg);
  if (!audio) return EPROTO;
  leg->remote_hold = audio->on_hold();
  Direction answer = Direction::kSendRecv;
  if (audio->direction == Direction::kSendOnly) answer = Direction::kRecvOnly;
  else if (audio->direction == Direction::kInactive) answer = Direction::kInactive;
  else if (audio->direction == Direction::kRecvOnly) answer = Direction::kSendOnly;
  if (leg->agent) leg->tel->on_agent_hold(*leg, audio->on_hold());
  *descp = make_mbuf(leg->tel->local_sdp(*leg, {leg->codec}, answer));
  return *descp ? 0 : ENOMEM;
}

// The agent's phone holds (re-INVITE sendonly/inactive) or resumes (sendrecv) the caller.
void Telephony::Impl::on_agent_hold(Leg& leg, bool hold) {
  Call& c = *leg.call;
  if (c.state != Call::State::kBridged || c.bridged != &leg) return;
  set_held(c, hold);
}

int Telephony::Impl::on_answer(const sip_msg* msg, void* arg) {  // the SDP answer (agent's 200, or caller's ACK)
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) return 0;
  if (!leg->tel->apply_remote_sdp(*leg, msg)) return EPROTO;
  if (leg->call && leg == leg->call->caller.get()) leg->call->codec_known = true;
  return 0;
}

void Telephony::Impl::on_estab(const sip_msg*, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) return;
  leg->established = true;
  if (leg->call && leg->call->outbound && leg->tel->on_outbound_estab(*leg)) return;  // outbound.cc
  if (leg->consult) leg->tel->on_consult_answered(*leg);
  else if (leg->agent) leg->tel->on_agent_answered(*leg);
}

void Telephony::Impl::on_close(int err, const sip_msg* msg, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) return;
  Impl* self = leg->tel;
  if (leg->call && leg->call->outbound && self->on_outbound_closed(*leg, err, msg)) return;  // outbound.cc
  if (leg->consult) self->on_consult_closed(*leg);
  else if (leg->agent) self->on_agent_closed(*leg, err, msg);
  else self->on_caller_closed(*leg->call, err, msg);
}

void Telephony::Impl::on_rtp(Leg& leg, const RtpHeader& hdr, const std::uint8_t* payload, std::size_t size) {
  if (leg.closed || !leg.call) return;
  Call& c = *leg.call;
  if (leg.dtmf_pt && hdr.pt == *leg.dtmf_pt && &leg == c.caller.get() && c.state != Call::State::kBridged) {
    // A key for the IVR (menu, '*' for a callback); never stored or logged.
    if (auto key = c.dtmf.on_packet(hdr.ts, hdr.marker, {payload, size})) leg.tel->on_digit(c, *key);
    return;
  }
  if (c.monitor && leg.tel->monitor_rtp(leg, hdr, payload, size)) return;  // a supervisor listens: mixed (monitor.cc)
  // Anything else forwarded while a monitor is live (telephone-events) goes on as it came.
  if (Leg* to = relay_target(c, leg); to && !to->closed) to->rtp->send(hdr.pt, hdr.marker, hdr.ts, payload, size);
}

void Telephony::Impl::on_media(const ForwardedRtp& f) {
  auto* leg = static_cast<Leg*>(f.port->owner);
  if (!leg || !leg->rtp_in) return;  // the leg is gone
  leg->rtp_in(*leg, f.header, f.payload.data(), f.payload.size());
}

void Telephony::Impl::reroute(Call& c) {
  if (!c.media) return;
  Monitor* live_monitor = c.monitor && monitor_live(*c.monitor) ? c.monitor.get() : nullptr;
  auto route_of = [&](Leg* l) {
    RtpRoute r;
    if (!l || l->closed) return r;
    bool talking = l == c.caller.get() || l == c.bridged;  // the conversation's two parties
    if (Leg* to = relay_target(c, *l); to && !to->closed) {
      r.relay_to = to->rtp;
      r.relayed = &rtp_counter(l->consult || to->consult ? "consult"
                               : l->agent               ? "agent_to_caller"
                                                        : "caller_to_agent");
    }
    if (c.rec && !c.held && c.state == Call::State::kBridged && c.bridged && talking)
      r.record = l->agent ? WavRecorder::Side::kAgent : WavRecorder::Side::kCaller;
    if (l == c.caller.get() && c.state != Call::State::kBridged) r.forward = RtpRoute::Forward::kNonAudio;  // IVR keys
    if (live_monitor && !c.held && talking) {  // the supervisor's mix takes the audio instead of the relay
      r.forward = RtpRoute::Forward::kAll;
      r.relay_to = nullptr;
    }
    return r;
  };
  auto set = [&](Leg* l) {
    if (l && l->rtp) l->rtp->set_route(route_of(l));
  };
  set(c.caller.get());
  // Music and prompts for the caller while not in conversation (queue, IVR,
  // hold, goodbye); ringback for the agent while an outbound call's customer rings.
  Leg* caller = c.caller.get();
  bool plays = caller && !caller->closed && caller->sess && (c.state != Call::State::kBridged || c.held);
  Leg* dialling_agent = nullptr;
  if (c.outbound)
    if (auto a = c.agents.find(c.dial_agent.value); a != c.agents.end() && a->second->established && !a->second->closed)
      dialling_agent = a->second.get();
  c.media->play_to(dialling_agent ? dialling_agent->rtp : plays ? caller->rtp : nullptr);
  for (auto& [a, l] : c.agents) set(l.get());
  set(c.consult.get());
  if (c.monitor) reroute_monitor(c);
}

void Telephony::Impl::on_refer(struct sip* sip, const sip_msg* msg, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) {
    sip_reply(sip, msg, 481, "Call Does Not Exist");
    return;
  }
  leg->tel->handle_refer(*leg, msg);
}

}  // namespace sb::telephony
