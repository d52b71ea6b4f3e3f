#pragma once
// Internal to the SIP adapter (sb_telephony): the libre-facing state shared by
// its source files. Everything here runs on the SIP thread unless a comment
// says otherwise. Only the adapter's .cc files include this (it pulls in <re.h>).
//
// Files: stack.cc (thread, start/stop, crash recovery, directory),
// register.cc (REGISTER, OPTIONS), legs.cc (dialog callbacks, SDP, RTP relay),
// inbound.cc (INVITEs to numbers), ivr.cc (greeting, menu, announcements,
// callback key), agents.cc (ringing agents' phones, routing events),
// control.cc (hold, API call control), transfer.cc (REFER, consultation),
// outbound.cc (trunks, click-to-call, callbacks dialled out), monitor.cc
// (supervisor listen/whisper/barge), recording.cc, trunk_register.cc
// (registering with trunks), trunk_address.cc (trunks' host names: DNS off
// this thread, the route to the address found). Music and prompts are
// played by the media plane (MediaSession's player), RTP relayed there too.
#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "service/commands.h"
#include "telephony/announce.h"
#include "telephony/conference.h"
#include "telephony/digest.h"
#include "telephony/dtmf.h"
#include "telephony/media_plane.h"
#include "telephony/moh.h"
#include "telephony/player.h"
#include "telephony/prompt_catalog.h"
#include "telephony/prompts.h"
#include "telephony/recorder.h"
#include "telephony/registrar.h"
#include "telephony/sdp.h"
#include "telephony/telephony.h"
#include "telephony/trunk_dns.h"

extern "C" {
#include <re.h>
}

namespace sb::telephony {

namespace cmd = service::commands;
using Core = service::Core;
using nlohmann::json;

// ---- small helpers (sip_util.cc)
std::string str(const pl& p);  // a libre pointer-length string as std::string ("" when unset)
// 0 when a UDP socket without SO_REUSEADDR can bind host:port, else errno.
int probe_udp_port(const std::string& host, std::uint16_t port);
// libre keeps its SIP UDP socket to itself: finds our UDP socket bound to
// `port` and asks for a receive buffer of `bytes` (a burst of requests, such
// as a thousand BYEs at once, must wait there, not be dropped). Returns the
// size the kernel granted (capped by net.core.rmem_max), or 0 if no socket was found.
int enlarge_udp_receive_buffer(std::uint16_t port, int bytes);
std::int64_t now_s();  // steady clock, seconds
// Keeps characters safe inside a SIP URI user part; anything else becomes '_'.
std::string uri_user(std::string s);
// An mbuf holding `text`, positioned at its start. Caller owns one reference.
mbuf* make_mbuf(const std::string& text);
std::string body_of(const sip_msg* msg);  // a message's body as text


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
struct Monitor;  // a supervisor listening to a call (monitor.cc)
struct MonitorDeleter {
  void operator()(Monitor* m) const;  // hangs up the supervisor's leg
};

// A libre timer cancelled when its owner goes (outbound.cc's ring time-outs).
struct OwnedTimer {
  tmr t{};
  OwnedTimer() { tmr_init(&t); }
  ~OwnedTimer() { tmr_cancel(&t); }
  OwnedTimer(const OwnedTimer&) = delete;
  OwnedTimer& operator=(const OwnedTimer&) = delete;
};

// One SIP dialog and its RTP port: the caller's leg or one agent's leg.
struct Leg {
  // What the SIP thread does with the packets the media plane forwards from
  // this leg's port (see Impl::reroute); set by whoever made the leg.
  using RtpIn = void (*)(Leg&, const RtpHeader&, const std::uint8_t* payload, std::size_t size);
  Telephony::Impl* tel = nullptr;
  Call* call = nullptr;
  std::optional<AgentId> agent;  // set on agent legs (and on a consultation's leg: the agent consulted)
  bool consult = false;          // the consultation leg of a consultative transfer (Call::consult)
  bool refer_pending = false;    // this phone REFERred the call: it is owed a final NOTIFY
  std::optional<int> dtmf_pt;    // the telephone-event payload type negotiated on this leg
  bool remote_hold = false;      // the phone's last SDP put us on hold (it may send nothing)
  sipsess* sess = nullptr;
  // The leg's RTP socket, polled by a media thread: it latches the remote
  // address, stamps the last packet's arrival, relays and records by the
  // route reroute() gives it.
  std::shared_ptr<RtpPort> rtp;
  RtpIn rtp_in = nullptr;
  bool established = false;
  bool closed = false;           // a teardown is under way: ignore further events
  Codec codec = Codec::kPcmu;
  std::uint64_t sdp_version = 1;
  metrics::Gauge* dialogs = nullptr;

  ~Leg() {
    if (sess) {
      mem_deref(sess);  // established: BYE; ringing outgoing: CANCEL
      if (dialogs) dialogs->dec();
    }
    if (rtp) {
      rtp->owner = nullptr;
      rtp->close();
    }
  }
};

// Switchboard registered with a provider's trunk (trunk_register.cc).
struct TrunkRegistration {
  Telephony::Impl* tel = nullptr;
  TrunkConfig trunk;
  sipreg* reg = nullptr;               // null while the trunk's host has no address
  std::string target;                  // the address `reg` sends to ("1.2.3.4:5060")
  int last_status = -1;                // the last final response's code (0: no answer, transport error)
  metrics::Gauge* registered = nullptr;  // switchboard_sip_trunk_registered{trunk}
  // libre's sipreg sends REGISTER with Expires: 0 when it goes while registered.
  ~TrunkRegistration() {
    mem_deref(reg);
    if (registered) registered->set(0);
  }
};

struct Call {
  std::uint64_t id = 0;
  std::shared_ptr<MediaSession> media;  // the legs' RTP ports and the recorder they feed (media threads)
  std::string from;     // caller's user part or number
  std::string number;   // the dialed DID
  QueueId queue;
  std::optional<InteractionId> interaction;
  // kIvr: greeting/menu, no interaction yet; kCreating: the interaction is
  // being created; kWaiting: queued (music, announcements); kBridged: with an
  // agent; kLeaving: a goodbye prompt plays, then we hang up.
  enum class State { kIvr, kCreating, kWaiting, kBridged, kLeaving } state = State::kCreating;
  std::unique_ptr<Leg> caller;
  std::map<std::int64_t, std::unique_ptr<Leg>> agents;  // agent id -> ringing or bridged leg
  Leg* bridged = nullptr;                               // the agent leg in conversation
  const EntryPoint* entry = nullptr;                    // the number's greeting/menu/announcements (config)
  Language language = Language::kEn;                    // what the caller hears: the entry's, if its prompts exist
  TelephoneEventReceiver dtmf;                          // RFC 4733 key presses from the caller
  int menu_tries = 0;
  std::uint64_t menu_deadline_ms = 0;                   // no key by then: repeat the menu (or default queue)
  std::uint64_t next_announce_ms = 0;                   // next position announcement (0: none)
  std::unique_ptr<WavRecorder> rec;                     // while bridged (and recording is configured)
  bool held = false;                                    // the caller is on hold (phone or API): music, no relay
  bool codec_known = true;                              // false until a late-offer ACK answers
  // Consultative transfer (transfer.cc): while the caller is held, the bridged
  // agent talks to the consulted agent or supervisor on this leg.
  std::unique_ptr<Leg> consult;
  // Outbound (outbound.cc): the agent's phone rings first, then the customer
  // (the `caller` leg, created without a dialog) through `trunk`. state is
  // kBridged from the start (the interaction is connected in the ACD);
  // `bridged` is set only once both legs have answered, and `outbound` is
  // cleared then (the legs.cc hooks only see calls still being dialled).
  bool outbound = false;
  bool created_for_call = false;  // the interaction was made for this call: "not reached" ends it
  AgentId dial_agent;
  TrunkConfig trunk;
  OwnedTimer ring_timer;          // the ringing leg's "no answer" time-out
  std::unique_ptr<Monitor, MonitorDeleter> monitor;     // a supervisor listening (monitor.cc)
};

struct Telephony::Impl {
  Impl(service::Core& c, metrics::Registry& r, TelephonyOptions o)
      : core(c), opts(std::move(o)), gate(std::make_shared<Gate>()),
        calls_gauge(r.gauge("switchboard_sip_calls", "Inbound SIP calls in progress (waiting or bridged)")),
        dialogs_gauge(r.gauge("switchboard_sip_dialogs", "SIP dialogs (caller and agent legs) alive")),
        registrations_gauge(r.gauge("switchboard_sip_registrations", "Live SIP registrations (bindings)")),
        rtp_packets(r.counter_family("switchboard_rtp_packets_total",
                                     "RTP packets sent by Switchboard, by direction", {"direction"})),
        nonces(random_secret()),
        trunk_registered(r.gauge_family("switchboard_sip_trunk_registered",
                                        "1 while Switchboard is registered with the trunk (register: true)",
                                        {"trunk"})),
        trunk_resolved(r.gauge_family("switchboard_sip_trunk_resolved",
                                      "1 while the trunk's host has an address to send to (always 1 for an IP "
                                      "address; 0 while a DNS name does not resolve)",
                                      {"trunk"})),
        monitors_gauge(r.gauge("switchboard_sip_monitors", "Supervisor monitors of calls (ringing or live)")) {
    if (opts.moh_path.empty()) opts.moh_path = SB_MOH_DEFAULT_PATH;
    auto m = MohAudio::load(opts.moh_path);
    if (m) {
      moh = std::make_unique<MohAudio>(std::move(*m));
    } else {
      spdlog::warn("[sip] {}; using the built-in chime as music on hold", m.error().message);
      moh = std::make_unique<MohAudio>(MohAudio::chime());
    }
    auto lib = PromptCatalog::load(opts.prompts_dir.empty() ? default_prompts_dir() : opts.prompts_dir);
    for (const std::string& w : lib.warnings) spdlog::warn("[sip] {}", w);
    prompts = std::make_unique<PromptCatalog>(std::move(lib.catalog));
  }

  static std::string random_secret();

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

  // The RTP relay's threads (started by setup(), stopped by teardown() after every leg).
  std::unique_ptr<MediaPlane> plane;

  // ---- SIP thread only
  sip* sipstack = nullptr;
  sipsess_sock* sess_sock = nullptr;
  sip_lsnr* lsnr = nullptr;
  tmr prune_tmr{}, stop_tmr{};
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

  // One Family::with() per direction (it allocates, locks and searches), then
  // a plain lookup per packet. SIP thread only.
  std::map<std::string_view, metrics::Counter*> rtp_counters;
  metrics::Counter& rtp_counter(const char* dir) {
    auto& c = rtp_counters[dir];
    if (!c) c = &rtp_packets.with({dir});
    return *c;
  }

  // ---------------------------------------------------------------- thread
  void run(std::promise<Status>& ready);

  Status setup();

  void teardown();
  // Before the SIP thread starts: closes the interactions of calls lost in a
  // crash and repairs unfinished recordings.
  void recover_from_last_run();

  bool post(std::function<void()> fn) { return gate->post(std::move(fn)); }

  // Runs on the SIP thread: hang up every call, then stop the loop once the
  // BYEs are answered (or after a short grace period).
  void begin_shutdown();
  static void on_sip_exit(void* arg);

  // ---------------------------------------------------------------- directory
  // Refreshes login -> agent and queue name -> id from the routing thread's directory.
  static json directory_snapshot(const routing::Engine&, const service::Directory& dir, TimePoint);
  void refresh_directory();
  void apply_directory(const json& j);

  // Runs a command as the system actor; `then` runs on the SIP thread (dropped after shutdown).
  void execute(Core::Fn fn, std::function<void(Core::Value)> then);

  // ---------------------------------------------------------------- requests outside dialogs
  static bool on_request(const sip_msg* msg, void* arg);

  void challenge(const sip_msg* msg, bool stale);

  void on_register(const sip_msg* msg);

  static void on_prune(void* arg);

  // ---------------------------------------------------------------- legs
  // A leg of `call` with an RTP port in the call's media session (made on first use).
  std::unique_ptr<Leg> new_leg(Call* call);

  // Sets the route of every port of the call from its state: who is relayed to
  // whom, which side is recorded, what the SIP thread must see (key presses
  // for the IVR, audio for a supervisor's mix). Called wherever that state
  // changes (bridge, hold, consultation, monitor, recording, legs closing),
  // and once a second for every call as a safety net.
  void reroute(Call& c);
  // A packet the media plane forwarded (SIP thread): to its leg's rtp_in.
  void on_media(const ForwardedRtp& f);

  std::string local_sdp(Leg& leg, std::vector<Codec> codecs, Direction dir = Direction::kSendRecv);

  // Applies a remote SDP (offer or answer) to a leg. Returns the parsed audio.
  Result<SdpAudio> apply_remote_sdp(Leg& leg, const sip_msg* msg);

  static int on_offer(mbuf** descp, const sip_msg* msg, void* arg);  // re-INVITE (hold, resume, refresh)

  // The agent's phone holds (re-INVITE sendonly/inactive) or resumes (sendrecv) the caller.
  void on_agent_hold(Leg& leg, bool hold);

  static int on_answer(const sip_msg* msg, void* arg);  // the SDP answer (agent's 200, or caller's ACK)

  static void on_estab(const sip_msg*, void* arg);

  static void on_progress(const sip_msg*, void*) {}

  static void on_close(int err, const sip_msg* msg, void* arg);

  // Forwarded packets of callers' and agents' legs: IVR key presses, and audio for a supervisor's mix.
  static void on_rtp(Leg& leg, const RtpHeader& hdr, const std::uint8_t* payload, std::size_t size);

  // ---------------------------------------------------------------- inbound calls
  static void on_invite(const sip_msg* msg, void* arg) { static_cast<Impl*>(arg)->handle_invite(msg); }

  void handle_invite(const sip_msg* msg);

  void on_created(std::uint64_t call_id, Core::Value v);

  void on_caller_closed(Call& c, int err, const sip_msg* msg);

  // Hangs up every leg of a call and forgets it (after the current handler returns).
  void end_call(std::uint64_t id);

  // ---------------------------------------------------------------- agent legs
  void on_offer_created(InteractionId iid, const std::vector<AgentId>& agents);

  void ring_agent(Call& c, AgentId agent);

  // Removes one agent leg (CANCEL if ringing, BYE if answered) after the current handler.
  void drop_agent_leg(Call& c, std::int64_t agent);

  void on_agent_answered(Leg& leg);

  void on_agent_closed(Leg& leg, int err, const sip_msg* msg);

  // ---------------------------------------------------------------- routing events (SIP thread)
  void on_event(const std::string& type, const json& d);

  // ---------------------------------------------------------------- recording
  // An event in the interaction's history, appended by the system actor.
  static Core::Fn note_event(InteractionId iid, std::string type, json data);

  void start_recording(Call& c);

  void stop_recording(Call& c);

  // SIP thread: checks the call is being recorded, then has the core check the
  // actor holds it (and log the event) before the recorder is paused.
  void set_paused(InteractionId iid, bool paused, service::Actor actor, std::function<void(Result<json>)> done);

  // ---------------------------------------------------------------- call control (control.cc, transfer.cc)
  // Where a packet arriving on `from` is relayed to (nullptr: nowhere): caller
  // <-> bridged agent, or bridged agent <-> consulted party while the caller is held.
  static Leg* relay_target(Call& c, Leg& from);
  // Holds or resumes the caller (music while held); logs call.held/call.resumed.
  void set_held(Call& c, bool hold);
  // A Core::Fn, run as `actor`, that fails unless the actor holds the open
  // interaction (agents; supervisors and admins may act on any), then writes an
  // audit entry and the event `type` with `data` in the interaction's history.
  static Core::Fn as_holder(InteractionId iid, std::string type, json data);
  // API call control (SIP thread): see Telephony::control.
  void control(InteractionId iid, CallControl action, std::optional<AgentId> target, service::Actor actor,
               std::function<void(Result<json>)> done);
  void apply_control(Call& c, CallControl action, std::optional<AgentId> target,
                     std::function<void(Result<json>)> done);
  // In-dialog REFER (blind transfer from the agent's phone).
  static void on_refer(struct sip* sip, const sip_msg* msg, void* arg);
  void handle_refer(Leg& leg, const sip_msg* msg);
  void notify_refer(Leg& leg, std::uint16_t scode, const char* reason);
  // Consultation legs.
  Result<json> start_consult(Call& c, AgentId target);
  void on_consult_answered(Leg& leg);
  void on_consult_closed(Leg& leg);
  void end_consult(Call& c, const char* why);
  // Dials a user's registered phone for `c` (ringing leg, not yet stored in the call).
  std::unique_ptr<Leg> dial_phone(Call& c, const std::string& login, const std::string& extra_headers);

  // ---------------------------------------------------------------- IVR (ivr.cc)
  std::unique_ptr<PromptCatalog> prompts;  // every language's (read-only once loaded)
  // After the caller's INVITE is answered: greeting and menu, or straight to the queue.
  void start_entry(Call& c);
  // Creates the voice interaction in c.queue (state kCreating until the ACD answers).
  void create_interaction_for(Call& c);
  // Appends prompts in c.language to what the caller hears (unknown names are logged and skipped).
  void play(Call& c, const std::vector<std::string>& names);
  void on_drained(Call& c);            // the caller's playlist finished
  void on_digit(Call& c, char key);    // a key from the caller (RFC 4733 or INFO); never logged
  void ivr_tick();                     // once a second: menu timeouts, position announcements
  void media_timeout_tick();           // once a second: calls whose media stopped (no BYE) are hung up
  void announce_position(Call& c);
  void request_callback(Call& c);
  static void on_info(struct sip* sip, const sip_msg* msg, void* arg);


  // ---- trunks and outbound calls (outbound.cc)
  // Click-to-call and callbacks, on the SIP thread: checks the trunk and the
  // agent's registered phone, runs commands::start_outbound_call as `actor`,
  // then rings the agent's phone; `done` gets {interaction, call} once the
  // INVITE is sent, or an error (409 no phone / busy, 403, 404, 503 no trunk).
  void place_call(OutboundRequest req, service::Actor actor, std::function<void(Result<json>)> done);
  void on_outbound_started(OutboundRequest req, AgentId agent, Core::Value v, std::function<void(Result<json>)> done);
  // The agent answered: INVITE sip:<to>@trunk with the agent's codec.
  void dial_customer(Call& c);
  // The customer was not reached (or the agent's phone gave up before the bridge): call.failed, hang up.
  void outbound_failed(Call& c, int status, std::string reason);
  // Hooks from legs.cc: true when handled (an outbound call before its bridge).
  bool on_outbound_estab(Leg& leg);
  bool on_outbound_closed(Leg& leg, int err, const sip_msg* msg);
  // Routing events: callback.converted keeps the number; offer.accepted of a callback dials it.
  void on_outbound_event(const std::string& type, const json& d);
  // libre's digest client asks for the trunk's credentials (arg: the customer Leg).
  static int on_trunk_auth(char** user, char** pass, const char* realm, void* arg);
  // Nobody answered the ringing leg in time (arg: the Call's id, as an integer).
  static void on_ring_timeout(void* arg);
  std::map<std::int64_t, std::string> callback_numbers;  // interaction -> number given at callback.converted
  // ---- registering with trunks (trunk_register.cc)
  metrics::Family<metrics::Gauge>& trunk_registered;
  std::vector<std::unique_ptr<TrunkRegistration>> trunk_regs;
  // A registration per trunk with `register: true`, started once its host has an address.
  void register_trunks();
  // (Re)starts one registration at the trunk's current address (libre then
  // refreshes it); without an address, drops it. Called when the address changes.
  void restart_registration(const std::string& trunk);
  // ---- trunk addresses: host names resolved off the SIP thread (trunk_address.cc)
  metrics::Family<metrics::Gauge>& trunk_resolved;
  std::unique_ptr<DnsWorker> dns;                                // its thread runs the lookups
  std::map<std::string, TrunkAddress, std::less<>> trunk_addrs;  // trunk name -> address state
  // setup(): an address state per trunk; names are looked up at once.
  void start_trunk_addresses();
  // Once a second: lookups that are due (interval, TTL, retries) go to the worker.
  void trunk_dns_tick();
  // SIP thread: a lookup's answer.
  void on_trunk_answer(const std::string& trunk, Result<DnsAnswer> answer);
  // Where the trunk's requests go; nullptr with `why` (naming the trunk and host) when nowhere.
  const SipTarget* trunk_target(const std::string& trunk, std::string* why);
  // For a trunk named by DNS, the route that makes libre send to its resolved
  // address ("sip:<ip>:<port>;transport=<t>", sent as a pre-loaded
  // Route: <…;lr>) while the Request-URI keeps the name; "" for an IP address.
  std::string trunk_route(const TrunkConfig& t, const SipTarget& to) const;
  // The host part of the trunk's URIs: the name, or the IP ([…] for IPv6),
  // with ":port" when a port is configured (always for an IP address).
  static std::string trunk_uri_hostport(const TrunkConfig& t);
  // A request to the trunk got no answer at all (time-out, refused): try its
  // next address and look the name up again soon.
  void trunk_unreachable(const std::string& trunk);
  static int on_register_auth(char** user, char** pass, const char* realm, void* arg);
  static void on_register_response(int err, const sip_msg* msg, void* arg);
  // ---- supervisor monitoring (monitor.cc)
  metrics::Gauge& monitors_gauge;
  tmr monitor_tmr{};  // the 20 ms mixing tick; runs while a monitor is live
  std::uint64_t monitor_start_ms = 0, monitor_ticks = 0;

  // SIP thread. Starts monitoring the call (INVITE to the actor's phone) or changes a live monitor's mode.
  void request_monitor(InteractionId iid, MonitorMode mode, service::Actor actor,
                       std::function<void(Result<json>)> done);
  // SIP thread. Ends the call's monitor on the actor's request.
  void request_monitor_stop(InteractionId iid, service::Actor actor, std::function<void(Result<json>)> done);
  // Ends the call's monitor if it has one (BYE to the supervisor's phone, the direct relay again).
  // `logged`: the history event and audit entry are already written by the caller.
  void end_monitor(Call& c, const std::string& reason, bool logged = false);
  // Hook from on_rtp: true when the packet was taken by the call's conference (no direct relay).
  bool monitor_rtp(Leg& leg, const RtpHeader& hdr, const std::uint8_t* payload, std::size_t size);
  // For reroute(): whether the supervisor's phone has answered, and the route of its leg (to the mix).
  static bool monitor_live(const Monitor& m);
  void reroute_monitor(Call& c);
  void monitor_tick();
};

}  // namespace sb::telephony
