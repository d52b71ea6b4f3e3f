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
  if (int err = rtp_listen(&leg->rtp, IPPROTO_UDP, &media_ip, opts.rtp_min_port, opts.rtp_max_port, false,
                           &Impl::on_rtp, nullptr, leg.get());
      err) {
    spdlog::error("[sip] no RTP port: {}", std::strerror(err));
    return nullptr;
  }
  return leg;
}

std::string Telephony::Impl::local_sdp(Leg& leg, std::vector<Codec> codecs, Direction dir) {
  char ip[64] = {0};
  sa_ntop(&media_ip, ip, sizeof ip);
  SdpParams p;
  p.address = ip;
  p.port = sa_port(rtp_local(leg.rtp));
  p.codecs = std::move(codecs);
  p.session_id = rtp_sess_ssrc(leg.rtp);
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
  leg.dtmf_pt = audio->dtmf_payload;
  if (audio->port != 0 && audio->address != "0.0.0.0" &&
      sa_set_str(&leg.remote, audio->address.c_str(), audio->port) == 0)
    leg.have_remote = true;
  return audio;
}

int Telephony::Impl::on_offer(mbuf** descp, const sip_msg* msg, void* arg) {  // re-INVITE (hold, resume, refresh)
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed) return EINVAL;
  sa before = leg->remote;
  bool had_remote = leg->have_remote;
  auto audio = leg->tel->apply_remote_sdp(*leg, msg);
  if (!audio) return EPROTO;
  // Hold (RFC 3264 sendonly/inactive, or c=0.0.0.0): keep sending where the media came from.
  if (audio->on_hold() && had_remote && !leg->have_remote) leg->remote = before, leg->have_remote = true;
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

void Telephony::Impl::on_rtp(const sa* src, const rtp_header* hdr, mbuf* mb, void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  if (leg->closed || !leg->call) return;
  leg->remote = *src;  // symmetric RTP: answer where the packets come from
  leg->have_remote = true;
  leg->last_rtp_ms = tmr_jiffies();
  Call& c = *leg->call;
  if (leg->dtmf_pt && hdr->pt == *leg->dtmf_pt && leg == c.caller.get() && c.state != Call::State::kBridged) {
    // A key for the IVR (menu, '*' for a callback); never stored or logged.
    if (auto key = c.dtmf.on_packet(hdr->ts, hdr->m, {mbuf_buf(mb), mbuf_get_left(mb)})) leg->tel->on_digit(c, *key);
    return;
  }
  Leg* to = relay_target(c, *leg);
  bool audio = hdr->pt == 0 || hdr->pt == 8;
  if (c.rec && audio && !c.held) {  // only audio: telephone-events (DTMF) are never stored
    c.rec->write(leg->agent ? WavRecorder::Side::kAgent : WavRecorder::Side::kCaller,
                 hdr->pt == 8 ? Codec::kPcma : Codec::kPcmu,
                 std::string_view(reinterpret_cast<const char*>(mbuf_buf(mb)), mbuf_get_left(mb)));
  }
  if (c.monitor && leg->tel->monitor_rtp(*leg, hdr, mb)) return;  // a supervisor listens: mixed (monitor.cc)
  if (!to || to->closed || !to->have_remote) return;
  std::uint8_t pt = hdr->pt;
  if (audio && pt != static_cast<std::uint8_t>(to->codec)) {  // PCMU <-> PCMA: same length, in place
    if (pt == 0) ulaw_to_alaw_inplace(mbuf_buf(mb), mbuf_get_left(mb));
    else alaw_to_ulaw_inplace(mbuf_buf(mb), mbuf_get_left(mb));
    pt = static_cast<std::uint8_t>(to->codec);
  }
  bool marker = hdr->m || to->first_relay;
  to->first_relay = false;
  if (rtp_send(to->rtp, &to->remote, false, marker, pt, hdr->ts, mb) == 0)
    leg->tel->rtp_counter(leg->consult || to->consult ? "consult"
                          : leg->agent              ? "agent_to_caller"
                                                    : "caller_to_agent")
        .inc();
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
