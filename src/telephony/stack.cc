// The SIP thread: libre start-up and teardown, graceful shutdown, the
// directory (login -> agent, queue name -> id), and Telephony's public methods.
#include <filesystem>

#include "telephony/impl.h"
#include "telephony/libre_auth.h"
#include "telephony/libre_timers.h"

namespace sb::telephony {

std::string Telephony::Impl::random_secret() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

// ---------------------------------------------------------------- thread
void Telephony::Impl::run(std::promise<Status>& ready) {
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

Status Telephony::Impl::setup() {
  if (int err = libre_init(); err)
    return Error{ErrorCode::kInternal, fmt::format("libre_init: {}", std::strerror(err)), "sip"};
  if (Status st = check_libre_timers(); !st) return st;  // libre_timers.cc: the timer heap is in use
  if (Status st = check_libre_auth(); !st) return st;    // libre_auth.cc: trunk challenges answered from an HA1
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
  // 4 MB: room for a few thousand requests while the SIP thread is busy (the kernel may grant less).
  if (int granted = enlarge_udp_receive_buffer(bound_port, 4 << 20); granted < (4 << 20))
    spdlog::info("[sip] SIP UDP receive buffer: {} KB (raise net.core.rmem_max to 4 MB for bursts of requests)",
                 granted / 1024);
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
  int threads = opts.media_threads > 0 ? opts.media_threads
                                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::shared_ptr<Gate> g = gate;
  auto started_plane = MediaPlane::start(
      {buf, opts.rtp_min_port, opts.rtp_max_port, threads, opts.media_priority},
      [this, g](ForwardedRtp f) { g->post([this, f] { on_media(f); }); },
      [this, g](std::shared_ptr<MediaSession> s) {  // a playlist was played out: the IVR's next step
        g->post([this, id = s->tag] {
          if (auto it = calls.find(id); it != calls.end()) on_drained(*it->second);
        });
      });
  if (!started_plane) return started_plane.error();
  plane = std::move(*started_plane);
  spdlog::info("[sip] media: {} thread(s), priority {}, RTP ports {}-{}", threads, plane->priority(), opts.rtp_min_port,
               opts.rtp_max_port);
  if (!plane->priority_error().empty())
    spdlog::warn("[sip] media threads' priority: {}", plane->priority_error());
  tmr_start(&prune_tmr, 1000, &Impl::on_prune, this);
  start_trunk_addresses();  // before the registrations: they wait for their trunk's address
  register_trunks();
  return {};
}

void Telephony::Impl::teardown() {
  tmr_cancel(&prune_tmr);
  tmr_cancel(&stop_tmr);
  calls.clear();
  call_by_interaction.clear();
  trunk_regs.clear();
  dns.reset();    // a lookup still running is left behind (its answer dropped) after 1 s
  plane.reset();  // after every leg has closed its port
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

// Runs on the SIP thread: hang up every call, then stop the loop once the
// BYEs are answered (or after a short grace period).
void Telephony::Impl::begin_shutdown() {
  shutting_down = true;
  for (auto& [id, c] : calls)
    if (c->interaction) to_close.emplace_back(*c->interaction, c->state == Call::State::kBridged);
  std::size_t n = calls.size();
  calls.clear();  // Leg destructors send BYE (or CANCEL)
  call_by_interaction.clear();
  calls_gauge.set(0);
  trunk_regs.clear();  // REGISTER Expires: 0 to the providers we are registered with
  spdlog::info("[sip] shutting down: {} call(s) hung up", n);
  sip_close(sipstack, false);  // on_sip_exit once the pending transactions are done
  tmr_start(&stop_tmr, 2000, [](void*) { re_cancel(); }, nullptr);
}

void Telephony::Impl::on_sip_exit(void* arg) {
  auto* self = static_cast<Impl*>(arg);
  if (self->shutting_down) re_cancel();
}

// ---------------------------------------------------------------- directory
// Refreshes login -> agent and queue name -> id from the routing thread's directory.
json Telephony::Impl::directory_snapshot(const routing::Engine&, const service::Directory& dir, TimePoint) {
  json j{{"users", json::object()}, {"queues", json::object()}};
  for (const auto& [id, u] : dir.users)
    if (!u.disabled) j["users"][u.login] = id.value;
  for (const auto& [id, q] : dir.queues) j["queues"][q.name] = id.value;
  return j;
}

void Telephony::Impl::refresh_directory() {
  std::weak_ptr<Gate> g = gate;
  core.query(&Impl::directory_snapshot,
      [this, g](json j) {
        if (auto gate_ = g.lock()) gate_->post([this, j = std::move(j)] { apply_directory(j); });
      });
}

void Telephony::Impl::apply_directory(const json& j) {
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
void Telephony::Impl::execute(Core::Fn fn, std::function<void(Core::Value)> then) {
  std::weak_ptr<Gate> g = gate;
  core.execute(service::Actor::system(), std::move(fn),
               [g, then = std::move(then)](Core::Value v) mutable {
                 if (auto gate_ = g.lock()) gate_->post([then = std::move(then), v = std::move(v)]() mutable {
                   if (then) then(std::move(v));
                 });
               });
}

// ------------------------------------------------------------------ Telephony

Telephony::Telephony(service::Core& core, metrics::Registry& registry, TelephonyOptions opts)
    : impl_(std::make_unique<Impl>(core, registry, std::move(opts))) {
  add_libre_timers_gauge(registry);
}

Telephony::~Telephony() { stop(); }

// Start-up after a crash (kill -9, power loss): the calls of the last run are
// gone, but the ACD restored their interactions as waiting. Those are closed
// (with a call.lost event), and recordings whose header was never finished
// are repaired so that players see their samples.
void Telephony::Impl::recover_from_last_run() {
  store::InteractionQuery q;
  q.open_only = true;
  q.limit = 1'000'000;
  int lost = 0;
  for (const auto& rec : core.store().interactions(q)) {
    if (rec.channel != "voice") continue;
    auto data = json::parse(rec.data_json, nullptr, false);
    if (!data.is_object() || data.value("via", "") != "sip") continue;
    if (auto n = core.execute_sync(service::Actor::system(),
                                   note_event(rec.id, "call.lost", {{"interaction", rec.id.value},
                                                                    {"why", "the server stopped during the call"}}));
        !n)
      spdlog::warn("[sip][interaction={}] cannot note the lost call: {}", rec.id.value, n.error().message);
    auto v = core.execute_sync(service::Actor::system(), cmd::cancel(rec.id));
    if (!v) spdlog::warn("[sip][interaction={}] cannot close the lost call: {}", rec.id.value, v.error().message);
    ++lost;
  }
  if (lost) spdlog::warn("[sip] {} call(s) of the last run were lost (the server stopped); closed", lost);
  if (opts.recordings_dir.empty()) return;
  std::error_code ec;
  int repaired = 0;
  for (const auto& e : std::filesystem::directory_iterator(opts.recordings_dir, ec)) {
    if (e.path().extension() != ".wav") continue;
    auto r = repair_wav(e.path().string());
    if (!r) spdlog::warn("[sip] {}", r.error().message);
    else if (*r) ++repaired;
  }
  if (repaired) spdlog::warn("[sip] {} recording(s) cut short by the last stop were repaired", repaired);
}

Status Telephony::start(TelephonyConfig config) {
  if (impl_->started) return {};
  impl_->recover_from_last_run();
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
      "interaction.ended", "conversation.ended", "interaction.transferred",
      "offer.accepted",    "callback.converted"};  // the last two: outbound.cc (callbacks dial out)
  if (!kTypes.contains(e.type)) return;
  Impl* impl = impl_.get();
  impl->post([impl, type = e.type, data = e.data] { impl->on_event(type, data); });
}

}  // namespace sb::telephony
