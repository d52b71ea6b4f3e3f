// The libre adapter. Everything that includes <re.h> is in this file.
//
// Threads: the SIP thread runs libre_init(), re_main() and every handler
// below. Other threads enter only through Gate::post (mqueue_push). Core
// callbacks (done) run on the store writer or routing thread and post back.
#include "telephony/telephony.h"

#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "service/commands.h"
#include "telephony/digest.h"
#include "telephony/moh.h"
#include "telephony/recorder.h"
#include "telephony/registrar.h"
#include "telephony/sdp.h"

extern "C" {
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <re.h>
}

namespace sb::telephony {

namespace cmd = service::commands;
using Core = service::Core;
using nlohmann::json;

namespace {

std::string str(const pl& p) { return p.p && p.l ? std::string(p.p, p.l) : std::string(); }

// 0 when a UDP socket without SO_REUSEADDR can bind host:port, else errno.
int probe_udp_port(const std::string& host, std::uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return 0;  // not a literal address: libre reports it
  }
  int fd = ::socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0) return errno;
  int err = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Keeps characters safe inside a SIP URI user part; anything else becomes '_'.
std::string uri_user(std::string s) {
  if (s.empty()) return "anonymous";
  if (s.size() > 64) s.resize(64);
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == '_')) c = '_';
  return s;
}

// An mbuf holding `text`, positioned at its start. Caller owns one reference.
mbuf* make_mbuf(const std::string& text) {
  mbuf* mb = mbuf_alloc(text.size() + 1);
  if (!mb) return nullptr;
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  mb->pos = 0;
  return mb;
}

std::string body_of(const sip_msg* msg) {
  if (!msg || !msg->mb) return {};
  return std::string(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
}

}  // namespace

// Work queued onto the SIP thread. Shared with Core callbacks, which may run
// after the Telephony object is gone: then post() drops the work.
struct Gate {
  std::mutex mu;
  mqueue* mq = nullptr;  // guarded by mu; set while the SIP thread runs

  bool post(std::function<void()> fn) {
    std::lock_guard lock(mu);
    if (!mq) return false;
    auto task = std::make_unique<std::function<void()>>(std::move(fn));
    if (mqueue_push(mq, 0, task.get()) != 0) return false;
    task.release();  // owned by the queue until on_task
    return true;
  }
  static void on_task(int, void* data, void*) {
    std::unique_ptr<std::function<void()>> task(static_cast<std::function<void()>*>(data));
    (*task)();
  }
};

struct Call;

// One SIP dialog and its RTP socket: the caller's leg or one agent's leg.
struct Leg {
  Telephony::Impl* tel = nullptr;
  Call* call = nullptr;
  std::optional<AgentId> agent;  // set on agent legs
  sipsess* sess = nullptr;
  struct rtp_sock* rtp = nullptr;
  sa remote{};                   // where we send RTP (SDP address, then latched to the source)
  bool have_remote = false;
  bool established = false;
  bool closed = false;           // a teardown is under way: ignore further events
  Codec codec = Codec::kPcmu;
  std::uint64_t sdp_version = 1;
  bool first_relay = true;
  metrics::Gauge* dialogs = nullptr;

  ~Leg() {
    if (sess) {
      mem_deref(sess);  // established: BYE; ringing outgoing: CANCEL
      if (dialogs) dialogs->dec();
    }
    mem_deref(rtp);
  }
};

struct Call {
  std::uint64_t id = 0;
  std::string from;     // caller's user part or number
  std::string number;   // the dialed DID
  QueueId queue;
  std::optional<InteractionId> interaction;
  enum class State { kCreating, kWaiting, kBridged } state = State::kCreating;
  std::unique_ptr<Leg> caller;
  std::map<std::int64_t, std::unique_ptr<Leg>> agents;  // agent id -> ringing or bridged leg
  Leg* bridged = nullptr;                               // the agent leg in conversation
  MohCursor moh;
  std::unique_ptr<WavRecorder> rec;                     // while bridged (and recording is configured)
  bool held = false;                                    // the agent's phone put the caller on hold: music, no relay
  bool codec_known = true;                              // false until a late-offer ACK answers
};

struct Telephony::Impl {
  Impl(service::Core& c, metrics::Registry& r, TelephonyOptions o)
      : core(c), opts(std::move(o)), gate(std::make_shared<Gate>()),
        calls_gauge(r.gauge("switchboard_sip_calls", "Inbound SIP calls in progress (waiting or bridged)")),
        dialogs_gauge(r.gauge("switchboard_sip_dialogs", "SIP dialogs (caller and agent legs) alive")),
        registrations_gauge(r.gauge("switchboard_sip_registrations", "Live SIP registrations (bindings)")),
        rtp_packets(r.counter_family("switchboard_rtp_packets_total",
                                     "RTP packets sent by Switchboard, by direction", {"direction"})),
        nonces(random_secret()) {
    if (opts.moh_path.empty()) opts.moh_path = SB_MOH_DEFAULT_PATH;
    auto m = MohAudio::load(opts.moh_path);
    if (m) {
      moh = std::make_unique<MohAudio>(std::move(*m));
    } else {
      spdlog::warn("[sip] {}; using the built-in chime as music on hold", m.error().message);
      moh = std::make_unique<MohAudio>(MohAudio::chime());
    }
  }

  static std::string random_secret() {
    std::random_device rd;
    return fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
  }

  // ---- outside world (any thread)
  service::Core& core;
  TelephonyOptions opts;
  TelephonyConfig config;  // set by start() before the SIP thread exists
  std::shared_ptr<Gate> gate;
  std::thread thread;
  std::uint16_t bound_port = 0;
  bool started = false;  // main thread only

  metrics::Gauge& calls_gauge;
  metrics::Gauge& dialogs_gauge;
  metrics::Gauge& registrations_gauge;
  metrics::Family<metrics::Counter>& rtp_packets;

  // ---- SIP thread only
  sip* sipstack = nullptr;
  sipsess_sock* sess_sock = nullptr;
  sip_lsnr* lsnr = nullptr;
  tmr moh_tmr{}, prune_tmr{}, stop_tmr{};
  std::uint64_t moh_start_ms = 0, moh_ticks = 0;
  sa media_ip{};
  std::string contact_host;  // host:port for our From URIs
  Registrar registrar;
  NonceSource nonces;
  std::unique_ptr<MohAudio> moh;
  std::map<std::string, AgentId, std::less<>> agent_by_login;
  std::map<std::int64_t, std::string> login_by_agent;
  std::map<std::string, QueueId, std::less<>> queue_by_name;
  std::map<std::uint64_t, std::unique_ptr<Call>> calls;
  std::map<std::int64_t, Call*> call_by_interaction;
  std::set<std::uint64_t> abandoned_while_creating;
  std::map<std::int64_t, std::vector<AgentId>> early_offers;  // offers seen before create's reply
  std::uint64_t next_call_id = 1;
  bool shutting_down = false;
  // Interactions to close after the SIP thread has gone (read by stop() after join).
  std::vector<std::pair<InteractionId, bool>> to_close;  // (id, connected)

  metrics::Counter& rtp_counter(const char* dir) { return rtp_packets.with({dir}); }

  // ---------------------------------------------------------------- thread
  void run(std::promise<Status>& ready) {
    Status st = setup();
    if (!st) {
      teardown();
      ready.set_value(st);
      return;
    }
    ready.set_value(Status{});
    re_main(nullptr);
    teardown();
  }

  Status setup() {
    if (int err = libre_init(); err)
      return Error{ErrorCode::kInternal, fmt::format("libre_init: {}", std::strerror(err)), "sip"};
    (void)fd_setsize(16384);
    mqueue* mq = nullptr;
    if (int err = mqueue_alloc(&mq, &Gate::on_task, nullptr); err)
      return Error{ErrorCode::kInternal, fmt::format("mqueue: {}", std::strerror(err)), "sip"};
    {
      std::lock_guard lock(gate->mu);
      gate->mq = mq;
    }
    if (int err = sip_alloc(&sipstack, nullptr, 8192, 8192, 8192, "Switchboard", &Impl::on_sip_exit, this); err)
      return Error{ErrorCode::kInternal, fmt::format("sip_alloc: {}", std::strerror(err)), "sip"};
    sa laddr{};
    if (sa_set_str(&laddr, opts.host.c_str(), opts.port) != 0)
      return Error::invalid("sip.listen", "not an IP address: " + opts.host);
    // libre binds UDP with SO_REUSEADDR, which lets a second process bind the same
    // port and silently take its packets. A plain socket finds the port taken.
    if (opts.port != 0) {
      if (int err = probe_udp_port(opts.host, opts.port); err)
        return Error{ErrorCode::kUnavailable,
                     fmt::format("cannot listen for SIP on UDP {}:{}: {}", opts.host, opts.port, std::strerror(err)),
                     "sip.listen"};
    }
    if (int err = sip_transp_add(sipstack, SIP_TRANSP_UDP, &laddr); err)
      return Error{ErrorCode::kUnavailable,
                   fmt::format("cannot listen for SIP on UDP {}:{}: {}", opts.host, opts.port, std::strerror(err)),
                   "sip.listen"};
    sa bound{};
    sip_transp_laddr(sipstack, &bound, SIP_TRANSP_UDP, nullptr);
    bound_port = sa_port(&bound);
    sa_set_port(&laddr, bound_port);
    if (int err = sip_transp_add(sipstack, SIP_TRANSP_TCP, &laddr); err)
      return Error{ErrorCode::kUnavailable,
                   fmt::format("cannot listen for SIP on TCP {}:{}: {}", opts.host, bound_port, std::strerror(err)),
                   "sip.listen"};
    if (int err = sipsess_listen(&sess_sock, sipstack, 8192, &Impl::on_invite, this); err)
      return Error{ErrorCode::kInternal, fmt::format("sipsess_listen: {}", std::strerror(err)), "sip"};
    if (int err = sip_listen(&lsnr, sipstack, true, &Impl::on_request, this); err)
      return Error{ErrorCode::kInternal, fmt::format("sip_listen: {}", std::strerror(err)), "sip"};
    media_ip = laddr;
    if (sa_is_any(&media_ip)) net_default_source_addr_get(AF_INET, &media_ip);
    sa_set_port(&media_ip, 0);
    char buf[64] = {0};
    sa_ntop(&media_ip, buf, sizeof buf);
    contact_host = fmt::format("{}:{}", buf, bound_port);
    tmr_start(&prune_tmr, 1000, &Impl::on_prune, this);
    return {};
  }

  void teardown() {
    tmr_cancel(&moh_tmr);
    tmr_cancel(&prune_tmr);
    tmr_cancel(&stop_tmr);
    calls.clear();
    call_by_interaction.clear();
    lsnr = static_cast<sip_lsnr*>(mem_deref(lsnr));
    sess_sock = static_cast<sipsess_sock*>(mem_deref(sess_sock));
    if (sipstack) sip_close(sipstack, true);
    sipstack = static_cast<sip*>(mem_deref(sipstack));
    mqueue* mq = nullptr;
    {
      std::lock_guard lock(gate->mu);
      std::swap(mq, gate->mq);
    }
    mem_deref(mq);  // tasks still in the pipe are dropped
    libre_close();
    calls_gauge.set(0);
    dialogs_gauge.set(0);
    registrations_gauge.set(0);
  }

  bool post(std::function<void()> fn) { return gate->post(std::move(fn)); }

  // Runs on the SIP thread: hang up every call, then stop the loop once the
  // BYEs are answered (or after a short grace period).
  void begin_shutdown() {
    shutting_down = true;
    for (auto& [id, c] : calls)
      if (c->interaction) to_close.emplace_back(*c->interaction, c->state == Call::State::kBridged);
    std::size_t n = calls.size();
    calls.clear();  // Leg destructors send BYE (or CANCEL)
    call_by_interaction.clear();
    calls_gauge.set(0);
    spdlog::info("[sip] shutting down: {} call(s) hung up", n);
    sip_close(sipstack, false);  // on_sip_exit once the pending transactions are done
    tmr_start(&stop_tmr, 2000, [](void*) { re_cancel(); }, nullptr);
  }
  static void on_sip_exit(void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (self->shutting_down) re_cancel();
  }

  // ---------------------------------------------------------------- directory
  // Refreshes login -> agent and queue name -> id from the routing thread's directory.
  static json directory_snapshot(const routing::Engine&, const service::Directory& dir, TimePoint) {
    json j{{"users", json::object()}, {"queues", json::object()}};
    for (const auto& [id, u] : dir.users)
      if (!u.disabled) j["users"][u.login] = id.value;
    for (const auto& [id, q] : dir.queues) j["queues"][q.name] = id.value;
    return j;
  }
  void refresh_directory() {
    std::weak_ptr<Gate> g = gate;
    core.query(&Impl::directory_snapshot,
        [this, g](json j) {
          if (auto gate_ = g.lock()) gate_->post([this, j = std::move(j)] { apply_directory(j); });
        });
  }
  void apply_directory(const json& j) {
    agent_by_login.clear();
    login_by_agent.clear();
    queue_by_name.clear();
    for (const auto& [login, id] : j["users"].items()) {
      agent_by_login[login] = AgentId(id.get<std::int64_t>());
      login_by_agent[id.get<std::int64_t>()] = login;
    }
    for (const auto& [name, id] : j["queues"].items()) queue_by_name[name] = QueueId(id.get<std::int64_t>());
  }

  // Runs a command as the system actor; `then` runs on the SIP thread (dropped after shutdown).
  void execute(Core::Fn fn, std::function<void(Core::Value)> then) {
    std::weak_ptr<Gate> g = gate;
    core.execute(service::Actor::system(), std::move(fn),
                 [g, then = std::move(then)](Core::Value v) mutable {
                   if (auto gate_ = g.lock()) gate_->post([then = std::move(then), v = std::move(v)]() mutable {
                     if (then) then(std::move(v));
                   });
                 });
  }

  // ---------------------------------------------------------------- requests outside dialogs
  static bool on_request(const sip_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (pl_strcmp(&msg->met, "OPTIONS") == 0) {
      sip_replyf(self->sipstack, msg, 200, "OK",
                 "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER\r\n"
                 "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    if (pl_strcmp(&msg->met, "REGISTER") == 0) {
      self->on_register(msg);
      return true;
    }
    return false;
  }

  void challenge(const sip_msg* msg, bool stale) {
    std::string nonce = nonces.make(now_s());
    sip_replyf(sipstack, msg, 401, "Unauthorized",
               "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"%s\r\n"
               "Content-Length: 0\r\n\r\n",
               config.realm.c_str(), nonce.c_str(), stale ? ", stale=true" : "");
  }

  void on_register(const sip_msg* msg) {
    std::string user = str(msg->to.uri.user);
    const sip_hdr* auth = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    if (!auth) return challenge(msg, false);
    auto creds = parse_digest(std::string_view(auth->val.p, auth->val.l));
    if (!creds) {
      sip_reply(sipstack, msg, 400, "Bad Authorization");
      return;
    }
    const std::string* ha1 = config.ha1_for(user);
    if (!ha1 || creds->username != user) {
      spdlog::info("[sip][register] {} refused: unknown user or username mismatch", user);
      sip_reply(sipstack, msg, 403, "Forbidden");
      return;
    }
    switch (verify_digest(*creds, config.realm, *ha1, "REGISTER", nonces, now_s(), opts.nonce_ttl_s)) {
      case AuthResult::kOk: break;
      case AuthResult::kStale: return challenge(msg, true);
      case AuthResult::kMissing: return challenge(msg, false);
      case AuthResult::kDenied:
        spdlog::info("[sip][register] {} refused: wrong credentials", user);
        sip_reply(sipstack, msg, 403, "Forbidden");
        return;
    }

    std::int64_t default_exp = pl_isset(&msg->expires) ? pl_u32(&msg->expires) : opts.default_expires_s;
    std::int64_t now = now_s();
    struct Ctx {
      Impl* self;
      const std::string& user;
      std::int64_t default_exp, now;
      bool bad = false, star = false;
      std::size_t count = 0;
    } ctx{this, user, default_exp, now};
    sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT,
                      [](const sip_hdr* h, const sip_msg*, void* a) -> bool {
                        auto* c = static_cast<Ctx*>(a);
                        if (pl_strcmp(&h->val, "*") == 0) {
                          c->star = true;
                          return false;
                        }
                        sip_addr addr{};
                        if (sip_addr_decode(&addr, &h->val) != 0) {
                          c->bad = true;
                          return true;
                        }
                        std::int64_t exp = c->default_exp;
                        pl e{};
                        if (msg_param_decode(&addr.params, "expires", &e) == 0) exp = pl_u32(&e);
                        exp = clamp_expires(exp, c->self->opts.min_expires_s, c->self->opts.max_expires_s);
                        if (exp > 0 && ++c->count > 10) return false;  // at most 10 contacts per request
                        c->self->registrar.update(c->user, str(addr.auri), exp, c->now);
                        return false;
                      },
                      &ctx);
    if (ctx.bad) {
      sip_reply(sipstack, msg, 400, "Bad Contact");
      return;
    }
    if (ctx.star) {
      if (default_exp != 0) {
        sip_reply(sipstack, msg, 400, "Contact * needs Expires: 0");
        return;
      }
      registrar.remove_all(user);
    }
    std::string contacts;
    for (const auto& b : registrar.bindings(user, now))
      contacts += fmt::format("Contact: <{}>;expires={}\r\n", b.contact, b.expires_at - now);
    sip_replyf(sipstack, msg, 200, "OK", "%sContent-Length: 0\r\n\r\n", contacts.c_str());
    registrations_gauge.set(static_cast<double>(registrar.size()));
    spdlog::info("[sip][register] {}: {} binding(s)", user, registrar.bindings(user, now).size());
    if (!agent_by_login.contains(user)) refresh_directory();
  }

  static void on_prune(void* arg) {
    auto* self = static_cast<Impl*>(arg);
    self->registrar.prune(now_s());
    self->registrations_gauge.set(static_cast<double>(self->registrar.size()));
    tmr_start(&self->prune_tmr, 1000, &Impl::on_prune, self);
  }

  // ---------------------------------------------------------------- legs
  std::unique_ptr<Leg> new_leg(Call* call) {
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

  std::string local_sdp(Leg& leg, std::vector<Codec> codecs, Direction dir = Direction::kSendRecv) {
    char ip[64] = {0};
    sa_ntop(&media_ip, ip, sizeof ip);
    SdpParams p;
    p.address = ip;
    p.port = sa_port(rtp_local(leg.rtp));
    p.codecs = std::move(codecs);
    p.session_id = rtp_sess_ssrc(leg.rtp);
    p.version = leg.sdp_version++;
    p.direction = dir;
    return make_sdp(p);
  }

  // Applies a remote SDP (offer or answer) to a leg. Returns the parsed audio.
  Result<SdpAudio> apply_remote_sdp(Leg& leg, const sip_msg* msg) {
    auto audio = parse_sdp(body_of(msg));
    if (!audio) return audio;
    auto codec = choose_codec(*audio);
    if (!codec) return Error::invalid("m=audio", "no PCMU or PCMA");
    leg.codec = *codec;
    if (audio->port != 0 && audio->address != "0.0.0.0" &&
        sa_set_str(&leg.remote, audio->address.c_str(), audio->port) == 0)
      leg.have_remote = true;
    return audio;
  }

  static int on_offer(mbuf** descp, const sip_msg* msg, void* arg) {  // re-INVITE (hold, resume, refresh)
    auto* leg = static_cast<Leg*>(arg);
    if (leg->closed) return EINVAL;
    sa before = leg->remote;
    bool had_remote = leg->have_remote;
    auto audio = leg->tel->apply_remote_sdp(*leg, msg);
    if (!audio) return EPROTO;
    // Hold (RFC 3264 sendonly/inactive, or c=0.0.0.0): keep sending where the media came from.
    if (audio->on_hold() && had_remote && !leg->have_remote) leg->remote = before, leg->have_remote = true;
    Direction answer = Direction::kSendRecv;
    if (audio->direction == Direction::kSendOnly) answer = Direction::kRecvOnly;
    else if (audio->direction == Direction::kInactive) answer = Direction::kInactive;
    else if (audio->direction == Direction::kRecvOnly) answer = Direction::kSendOnly;
    if (leg->agent) leg->tel->on_agent_hold(*leg, audio->on_hold());
    *descp = make_mbuf(leg->tel->local_sdp(*leg, {leg->codec}, answer));
    return *descp ? 0 : ENOMEM;
  }

  // The agent's phone holds (re-INVITE sendonly/inactive) or resumes (sendrecv) the caller.
  void on_agent_hold(Leg& leg, bool hold) {
    Call& c = *leg.call;
    if (c.state != Call::State::kBridged || c.bridged != &leg || c.held == hold) return;
    c.held = hold;
    spdlog::info("[sip][call={}][agent={}] {}", c.id, leg.agent->value, hold ? "caller on hold" : "caller resumed");
    if (hold) start_moh();
    else c.caller->first_relay = true;
    if (c.interaction)
      execute(note_event(*c.interaction, hold ? "call.held" : "call.resumed", {{"interaction", c.interaction->value}}),
              nullptr);
  }

  static int on_answer(const sip_msg* msg, void* arg) {  // the SDP answer (agent's 200, or caller's ACK)
    auto* leg = static_cast<Leg*>(arg);
    if (leg->closed) return 0;
    if (!leg->tel->apply_remote_sdp(*leg, msg)) return EPROTO;
    if (leg->call && leg == leg->call->caller.get()) leg->call->codec_known = true;
    return 0;
  }

  static void on_estab(const sip_msg*, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->closed) return;
    leg->established = true;
    if (leg->agent) leg->tel->on_agent_answered(*leg);
  }

  static void on_progress(const sip_msg*, void*) {}

  static void on_close(int err, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->closed) return;
    Impl* self = leg->tel;
    if (leg->agent) self->on_agent_closed(*leg, err, msg);
    else self->on_caller_closed(*leg->call, err, msg);
  }

  static void on_rtp(const sa* src, const rtp_header* hdr, mbuf* mb, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->closed || !leg->call) return;
    leg->remote = *src;  // symmetric RTP: answer where the packets come from
    leg->have_remote = true;
    Call& c = *leg->call;
    if (c.state != Call::State::kBridged || !c.bridged || c.held) return;
    Leg* to = leg->agent ? (leg == c.bridged ? c.caller.get() : nullptr) : c.bridged;
    if (c.rec && (hdr->pt == 0 || hdr->pt == 8)) {  // only audio: telephone-events (DTMF) are never stored
      c.rec->write(leg->agent ? WavRecorder::Side::kAgent : WavRecorder::Side::kCaller,
                   hdr->pt == 8 ? Codec::kPcma : Codec::kPcmu,
                   std::string_view(reinterpret_cast<const char*>(mbuf_buf(mb)), mbuf_get_left(mb)));
    }
    if (!to || to->closed || !to->have_remote) return;
    bool marker = hdr->m || to->first_relay;
    to->first_relay = false;
    if (rtp_send(to->rtp, &to->remote, false, marker, hdr->pt, hdr->ts, mb) == 0)
      leg->tel->rtp_counter(leg->agent ? "agent_to_caller" : "caller_to_agent").inc();
  }

  // ---------------------------------------------------------------- inbound calls
  static void on_invite(const sip_msg* msg, void* arg) { static_cast<Impl*>(arg)->handle_invite(msg); }

  void handle_invite(const sip_msg* msg) {
    if (shutting_down) {
      sip_treply(nullptr, sipstack, msg, 503, "Service Unavailable");
      return;
    }
    std::string number = str(msg->uri.user);
    const std::string* qname = config.queue_for(number);
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
    }
    mbuf* desc = make_mbuf(local_sdp(leg, codecs));
    int err = sipsess_accept(&leg.sess, sess_sock, msg, 200, "OK", "switchboard", "application/sdp", desc, nullptr,
                             nullptr, false, &Impl::on_offer, &Impl::on_answer, &Impl::on_estab, nullptr, nullptr,
                             &Impl::on_close, &leg, "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
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
    json body{{"channel", "voice"}, {"queue", call->queue.value}, {"from", call->from.substr(0, 320)},
              {"subject", fmt::format("Call to {}", number)}};
    calls.emplace(id, std::move(call));
    calls_gauge.set(static_cast<double>(calls.size()));
    start_moh();
    execute(cmd::create_interaction(std::move(body)), [this, id](Core::Value v) { on_created(id, std::move(v)); });
  }

  void on_created(std::uint64_t call_id, Core::Value v) {
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

  void on_caller_closed(Call& c, int err, const sip_msg* msg) {
    std::uint64_t id = c.id;
    spdlog::info("[sip][call={}] caller hung up ({})", id, msg ? str(msg->met) : std::string(err ? std::strerror(err) : "closed"));
    switch (c.state) {
      case Call::State::kCreating: abandoned_while_creating.insert(id); break;
      case Call::State::kWaiting: execute(cmd::abandon(*c.interaction), nullptr); break;
      case Call::State::kBridged: execute(cmd::end_conversation(*c.interaction), nullptr); break;
    }
    end_call(id);  // the dialog is over: freeing it later sends nothing
  }

  // Hangs up every leg of a call and forgets it (after the current handler returns).
  void end_call(std::uint64_t id) {
    auto it = calls.find(id);
    if (it == calls.end()) return;
    Call& c = *it->second;
    stop_recording(c);
    if (c.caller) c.caller->closed = true;
    for (auto& [a, l] : c.agents) l->closed = true;
    if (c.interaction) call_by_interaction.erase(c.interaction->value);
    post([this, id] {
      calls.erase(id);
      calls_gauge.set(static_cast<double>(calls.size()));
    });
  }

  // ---------------------------------------------------------------- agent legs
  void on_offer_created(InteractionId iid, const std::vector<AgentId>& agents) {
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

  void ring_agent(Call& c, AgentId agent) {
    if (c.agents.contains(agent.value)) return;
    auto login = login_by_agent.find(agent.value);
    if (login == login_by_agent.end()) return;
    auto contact = registrar.contact(login->second, now_s());
    if (!contact) {
      spdlog::info("[sip][call={}][agent={}] no registered phone; the offer stays on the desktop", c.id, login->second);
      return;
    }
    auto leg = new_leg(&c);
    if (!leg) return;
    leg->agent = agent;
    std::vector<Codec> codecs = c.codec_known ? std::vector<Codec>{c.caller->codec}
                                              : std::vector<Codec>{Codec::kPcmu, Codec::kPcma};
    mbuf* desc = make_mbuf(local_sdp(*leg, codecs));
    std::string from_user = uri_user(c.from);
    std::string from_uri = fmt::format("sip:{}@{}", from_user, contact_host);
    std::string extra = fmt::format("X-Switchboard-Interaction: {}\r\nX-Switchboard-Number: {}\r\n",
                                    c.interaction->value, uri_user(c.number));
    int err = sipsess_connect(&leg->sess, sess_sock, contact->c_str(), from_user.c_str(), from_uri.c_str(),
                              "switchboard", nullptr, 0, "application/sdp", desc, nullptr, nullptr, false,
                              &Impl::on_offer, &Impl::on_answer, &Impl::on_progress, &Impl::on_estab, nullptr,
                              nullptr, &Impl::on_close, leg.get(), "%s", extra.c_str());
    mem_deref(desc);
    if (err) {
      spdlog::warn("[sip][call={}][agent={}] cannot ring {}: {}", c.id, login->second, *contact, std::strerror(err));
      return;
    }
    leg->dialogs = &dialogs_gauge;
    dialogs_gauge.inc();
    spdlog::info("[sip][call={}][agent={}] ringing {}", c.id, login->second, *contact);
    c.agents.emplace(agent.value, std::move(leg));
  }

  // Removes one agent leg (CANCEL if ringing, BYE if answered) after the current handler.
  void drop_agent_leg(Call& c, std::int64_t agent) {
    auto it = c.agents.find(agent);
    if (it == c.agents.end()) return;
    it->second->closed = true;
    if (c.bridged == it->second.get()) c.bridged = nullptr;
    std::uint64_t id = c.id;
    post([this, id, agent] {
      if (auto ci = calls.find(id); ci != calls.end()) ci->second->agents.erase(agent);
    });
  }

  void on_agent_answered(Leg& leg) {
    Call& c = *leg.call;
    if (c.state != Call::State::kWaiting || !c.interaction) {
      drop_agent_leg(c, leg.agent->value);
      return;
    }
    std::uint64_t id = c.id;
    std::int64_t agent = leg.agent->value;
    InteractionId iid = *c.interaction;
    execute(cmd::accept(iid, *leg.agent), [this, id, agent](Core::Value v) {
      auto ci = calls.find(id);
      if (ci == calls.end()) return;
      Call& call = *ci->second;
      auto li = call.agents.find(agent);
      if (li == call.agents.end() || li->second->closed) return;
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
      spdlog::info("[sip][call={}][agent={}] bridged", id, agent);
    });
  }

  void on_agent_closed(Leg& leg, int err, const sip_msg* msg) {
    Call& c = *leg.call;
    std::int64_t agent = leg.agent->value;
    std::uint16_t scode = msg && !msg->req ? msg->scode : 0;
    leg.closed = true;
    if (c.bridged == &leg) {
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
  void on_event(const std::string& type, const json& d) {
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
      // Back in a queue: the agent leg ends, the caller hears music again.
      if (c.bridged) drop_agent_leg(c, c.bridged->agent->value);
      stop_recording(c);
      c.held = false;
      c.state = Call::State::kWaiting;
      start_moh();
    }
  }

  // ---------------------------------------------------------------- recording
  // An event in the interaction's history, appended by the system actor.
  static Core::Fn note_event(InteractionId iid, std::string type, json data) {
    return [iid, type = std::move(type), data = std::move(data)](service::Txn& t) -> Core::Value {
      t.event(type, data, iid);
      return json::object();
    };
  }

  void start_recording(Call& c) {
    if (opts.recordings_dir.empty() || c.rec || !c.interaction) return;
    std::string path = fmt::format("{}/{}.wav", opts.recordings_dir, c.interaction->value);
    auto r = WavRecorder::open(path);
    if (!r) {
      spdlog::error("[sip][call={}] not recorded: {}", c.id, r.error().message);
      return;
    }
    c.rec = std::move(*r);
    spdlog::info("[sip][call={}][interaction={}] recording to {}", c.id, c.interaction->value, path);
    execute(note_event(*c.interaction, "recording.started", {{"interaction", c.interaction->value}, {"path", path}}),
            nullptr);
  }

  void stop_recording(Call& c) {
    if (!c.rec) return;
    c.rec->close();
    double seconds = static_cast<double>(c.rec->frames_written()) / WavRecorder::kRate;
    if (c.interaction)
      execute(note_event(*c.interaction, "recording.stopped",
                         {{"interaction", c.interaction->value}, {"path", c.rec->path()}, {"seconds", seconds}}),
              nullptr);
    c.rec.reset();
  }

  // SIP thread: checks the call is being recorded, then has the core check the
  // actor holds it (and log the event) before the recorder is paused.
  void set_paused(InteractionId iid, bool paused, service::Actor actor,
                  std::function<void(Result<json>)> done) {
    auto it = call_by_interaction.find(iid.value);
    if (it == call_by_interaction.end())
      return done(Error::not_found(fmt::format("interaction {} is not a live call", iid.value)));
    if (!it->second->rec) return done(Error::conflict(fmt::format("interaction {} is not being recorded", iid.value)));
    std::string path = it->second->rec->path();
    const char* type = paused ? "recording.paused" : "recording.resumed";
    Core::Fn fn = [iid, type, path](service::Txn& t) -> Core::Value {
      auto snap = t.engine.interaction(iid, t.now);
      if (!snap) return Error::not_found(fmt::format("interaction {} is not open", iid.value));
      if (t.actor.role == store::Role::kAgent &&
          (!snap->agent || !t.actor.user || snap->agent->value != t.actor.user->value))
        return Error{ErrorCode::kPermissionDenied, "the interaction is not yours", "interaction"};
      t.audit(type, fmt::format("interaction:{}", iid.value), {{"path", path}});
      t.event(type, {{"interaction", iid.value}, {"path", path}}, iid);
      return json::object();
    };
    std::weak_ptr<Gate> g = gate;
    core.execute(std::move(actor), std::move(fn), [this, g, iid, paused, done](Core::Value v) {
      if (!v) return done(v.error());
      auto gate_ = g.lock();
      if (!gate_ || !gate_->post([this, iid, paused, done] {
            auto ci = call_by_interaction.find(iid.value);
            if (ci == call_by_interaction.end() || !ci->second->rec)
              return done(Error::conflict(fmt::format("interaction {} is no longer recorded", iid.value)));
            WavRecorder& r = *ci->second->rec;
            if (paused) r.pause(tmr_jiffies());
            else r.resume(tmr_jiffies());
            spdlog::info("[sip][interaction={}] recording {}", iid.value, paused ? "paused" : "resumed");
            done(json{{"interaction", iid.value}, {"path", r.path()}, {"paused", r.paused()}});
          }))
        done(Error{ErrorCode::kUnavailable, "telephony is stopping", {}});
    });
  }

  // ---------------------------------------------------------------- music on hold
  void start_moh() {
    if (tmr_isrunning(&moh_tmr)) return;
    moh_start_ms = tmr_jiffies();
    moh_ticks = 0;
    tmr_start(&moh_tmr, 20, &Impl::on_moh, this);
  }

  static void on_moh(void* arg) { static_cast<Impl*>(arg)->moh_tick(); }

  void moh_tick() {
    std::uint64_t due = (tmr_jiffies() - moh_start_ms) / 20;
    int burst = 0;
    bool any = false;
    mbuf* mb = mbuf_alloc(RTP_HEADER_SIZE + kFrameSamples);
    while (moh_ticks < due && burst++ < 5) {
      ++moh_ticks;
      for (auto& [id, c] : calls) {
        if (c->state == Call::State::kBridged && !c->held) continue;
        any = true;
        Leg& leg = *c->caller;
        if (leg.closed || !leg.have_remote || !leg.sess) continue;
        std::string_view f = moh->frame(c->moh.frame, leg.codec);
        mb->pos = RTP_HEADER_SIZE;
        mb->end = RTP_HEADER_SIZE;
        mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(f.data()), f.size());
        mb->pos = RTP_HEADER_SIZE;
        if (rtp_send(leg.rtp, &leg.remote, false, c->moh.frame == 0, static_cast<uint8_t>(leg.codec),
                     c->moh.timestamp, mb) == 0)
          rtp_counter("moh").inc();
        c->moh.advance();
      }
    }
    mem_deref(mb);
    if (moh_ticks < due) moh_ticks = due;  // fell behind: skip rather than burst
    if (!any && calls.empty()) return;     // nobody waiting: the timer stops
    std::uint64_t next = moh_start_ms + (moh_ticks + 1) * 20;
    std::uint64_t now = tmr_jiffies();
    tmr_start(&moh_tmr, next > now ? next - now : 1, &Impl::on_moh, this);
  }
};

// ------------------------------------------------------------------ Telephony

Telephony::Telephony(service::Core& core, metrics::Registry& registry, TelephonyOptions opts)
    : impl_(std::make_unique<Impl>(core, registry, std::move(opts))) {}

Telephony::~Telephony() { stop(); }

Status Telephony::start(TelephonyConfig config) {
  if (impl_->started) return {};
  impl_->config = std::move(config);
  // Before the SIP thread exists: the thread's start orders these writes before its reads.
  impl_->apply_directory(impl_->core.query_sync(&Impl::directory_snapshot));
  std::promise<Status> ready;
  auto fut = ready.get_future();
  impl_->thread = std::thread([this, &ready] { impl_->run(ready); });
  Status st = fut.get();
  if (!st) {
    impl_->thread.join();
    return st;
  }
  impl_->started = true;
  spdlog::info("[sip] listening on {}:{} (UDP and TCP); {} SIP user(s), {} number(s)", impl_->opts.host,
               impl_->bound_port, impl_->config.user_ha1.size(), impl_->config.numbers.size());
  return {};
}

void Telephony::stop() {
  if (!impl_->started) return;
  impl_->started = false;
  Impl* impl = impl_.get();
  if (!impl->post([impl] { impl->begin_shutdown(); })) spdlog::error("[sip] cannot queue the shutdown");
  impl->thread.join();
  for (auto [iid, connected] : impl->to_close) {
    auto v = impl->core.execute_sync(service::Actor::system(),
                                     connected ? cmd::end_conversation(iid) : cmd::cancel(iid));
    if (!v) spdlog::warn("[sip][interaction={}] on shutdown: {}", iid.value, v.error().message);
  }
  impl->to_close.clear();
}

void Telephony::set_recording_paused(InteractionId interaction, bool paused, service::Actor actor,
                                     std::function<void(Result<json>)> done) {
  Impl* impl = impl_.get();
  if (!impl->post([impl, interaction, paused, actor, done] { impl->set_paused(interaction, paused, actor, done); }))
    done(Error{ErrorCode::kUnavailable, "telephony is not running", {}});
}

std::uint16_t Telephony::sip_port() const { return impl_->bound_port; }

void Telephony::publish(const service::Published& e) {
  static const std::set<std::string, std::less<>> kTypes = {
      "offer.created",     "offer.revoked",      "offer.timed_out",        "offer.rejected",
      "interaction.ended", "conversation.ended", "interaction.transferred"};
  if (!kTypes.contains(e.type)) return;
  Impl* impl = impl_.get();
  impl->post([impl, type = e.type, data = e.data] { impl->on_event(type, data); });
}

}  // namespace sb::telephony
