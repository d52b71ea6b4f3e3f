#pragma once
// Telephony: real SIP calls through the queues to agents' phones.
//
// One object wraps libre. It runs libre's event loop (re_main) on its own
// thread, "the SIP thread", and every libre object is touched only there.
// Other threads reach it only through publish() and stop(), which queue work
// onto the SIP thread (libre's mqueue). It speaks to the ACD only through
// Core::execute with the system actor (commands) and routing events (as a
// service::Publisher): an INVITE to a DID creates a voice interaction in the
// DID's queue; an offer rings the agent's registered phone; answer -> accept
// and bridge (RTP relayed through us); 486/603 -> reject; revoked / timed-out
// offers CANCEL the ring; hang-ups abandon or end the conversation.
//
// No libre header is visible here: include this from anywhere.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "metrics/registry.h"
#include "service/core.h"
#include "telephony/conference.h"
#include "telephony/media_plane.h"
#include "telephony/telephony_config.h"
#include "telephony/trunk_dns.h"

namespace sb::telephony {

struct TelephonyOptions {
  std::string host = "127.0.0.1";  // SIP listen address (UDP and TCP); also the RTP address
  std::uint16_t port = 5060;       // 0: any free port (see sip_port())
  std::string moh_path;            // raw 8 kHz µ-law; empty: the one made at build time; unreadable: a built-in chime
  std::uint16_t rtp_min_port = 16384, rtp_max_port = 32767;
  std::int64_t nonce_ttl_s = 300;
  // A leg that has sent RTP and then sends none for this long is taken as
  // gone (no BYE will come): the call is hung up and its interaction closed.
  std::int64_t media_timeout_s = 120;
  // Threads that relay RTP (0: one per core). Each call's media stays on one of them.
  int media_threads = 0;
  MediaPriority media_priority = MediaPriority::kNormal;  // scheduling of those threads
  std::int64_t min_expires_s = 30, max_expires_s = 3600, default_expires_s = 3600;
  std::string prompts_dir;         // spoken prompts (<name>.raw, 8 kHz s16le); empty: the ones made at build time
  std::string recordings_dir;      // bridged calls are recorded to <dir>/<interaction id>.wav; empty: not recorded
  // Looks up trunks' host names (on a thread of its own); null: SystemResolver (getaddrinfo, SRV by res_query).
  std::shared_ptr<Resolver> resolver;
};

// Call control from the API (Telephony::control).
enum class CallControl {
  kHold,             // the caller hears music; caller and agent no longer hear each other
  kResume,           // back to the conversation
  kConsult,          // hold the caller and ring `target`'s phone; on answer the agent and target talk
  kConsultComplete,  // transfer the caller to the consulted target (connected at once) and free the agent
  kConsultCancel,    // hang up on the consulted target and resume the caller
};

// A click-to-call request (POST /api/calls), already parsed.
struct OutboundRequest {
  std::string to;                            // the customer's number
  std::optional<InteractionId> interaction;  // dial for this interaction (held by the caller)
  std::optional<QueueId> queue;              // the new interaction's queue
};

class Telephony final : public service::Publisher {
 public:
  // `core` and `registry` must outlive this object. Registers the metrics
  // switchboard_sip_calls, switchboard_sip_dialogs, switchboard_sip_registrations
  // and switchboard_rtp_packets_total{direction}.
  Telephony(service::Core& core, metrics::Registry& registry, TelephonyOptions opts);
  ~Telephony() override;  // stop()s
  Telephony(const Telephony&) = delete;
  Telephony& operator=(const Telephony&) = delete;

  // Binds UDP and TCP and starts the SIP thread with these SIP users and DIDs.
  // Call after Core::start(). Fails (and starts nothing) if the address
  // cannot be bound.
  Status start(TelephonyConfig config);
  // Graceful shutdown: BYE to every live call, then closes their interactions
  // (waiting callers: cancel; connected: end of conversation) and joins the
  // SIP thread. Call before Core::stop(). Idempotent.
  void stop();

  // The bound SIP port (after start()).
  std::uint16_t sip_port() const;

  // Pauses or resumes the recording of a live call (any thread). `actor` must
  // hold the interaction (agents; supervisors and admins may act on any).
  // `done` gets {interaction, path, paused} once the recorder is paused (no
  // audio is stored from then on), or an error: 404 unknown, 409 not being
  // recorded, 403 not the holder. It runs on the SIP or the store thread.
  void set_recording_paused(InteractionId interaction, bool paused, service::Actor actor,
                            std::function<void(Result<nlohmann::json>)> done);

  // Controls a live bridged call (any thread). `actor` must hold the
  // interaction (agents; supervisors and admins may act on any); `target` is
  // the agent or supervisor to consult (kConsult only). `done` gets a summary
  // {interaction, held, consult?} or an error: 404 not a live call, 409 wrong
  // state (not bridged, no consultation, target has no registered phone), 403
  // not the holder. Runs on the SIP or the store thread.
  void control(InteractionId interaction, CallControl action, std::optional<AgentId> target, service::Actor actor,
               std::function<void(Result<nlohmann::json>)> done);

  // Routing thread: forwards (events before start() are dropped) the events telephony cares about to the SIP thread.
  void publish(const service::Published& e) override;

  // Click-to-call (any thread): rings `actor`'s registered phone, and once
  // it answers, dials `req.to` through the default trunk and bridges them.
  // The outbound interaction is created (or `req.interaction` used) and held
  // by the actor. `done` gets {interaction, call} once the agent's phone is
  // being rung, or an error: 409 no registered phone / not ready / busy,
  // 403 not the holder, 404, 503 no trunk or telephony stopping. It runs on
  // the SIP or the store thread.
  void place_call(OutboundRequest req, service::Actor actor, std::function<void(Result<nlohmann::json>)> done);

  struct Impl;

  // Supervisor monitoring of a live bridged call (any thread; the API checks
  // the permission calls.monitor). Without a monitor: INVITEs the actor's
  // registered phone (SIP user = login) and, once it answers, the supervisor
  // hears the call in `mode`; `done` gets {interaction, supervisor, mode,
  // state: "ringing"} at once. With the actor's own monitor: changes its mode
  // (no new INVITE), {..., state: "ringing"|"live"}. Errors: 404 not a live
  // bridged call, 409 no registered phone or monitored by someone else.
  // `done` runs on the SIP or the store thread.
  void monitor(InteractionId interaction, MonitorMode mode, service::Actor actor,
               std::function<void(Result<nlohmann::json>)> done);
  // Ends the call's monitor (BYE to the supervisor's phone; the call goes on).
  // `done` gets {interaction, supervisor, state: "stopped"}, or 404 when the call has no monitor.
  void stop_monitor(InteractionId interaction, service::Actor actor,
                    std::function<void(Result<nlohmann::json>)> done);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::telephony
