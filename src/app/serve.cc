#include <csignal>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api.h"
#include "app/recording_retention.h"
#include "app/server_main.h"
#include "app/version.h"
#include "auth/password.h"
#include "config/value.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "service/demo.h"
#include "service/fanout.h"
#include "telephony/telephony.h"

namespace sb::app {

namespace {

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

void print_demo(const std::vector<service::DemoLogin>& logins, const std::string& url) {
  std::cout << "\nDemo contact center ready at " << url << "\n"
            << "Every demo user's password is '" << service::kDemoPassword << "'.\n"
            << fmt::format("  {:<10} {:<12} {}\n", "login", "role", "name");
  for (const auto& l : logins) std::cout << fmt::format("  {:<10} {:<12} {}\n", l.login, l.role, l.name);
  std::cout << std::endl;
}

void print_demo_phones(const std::string& sip_host, std::uint16_t port) {
  std::cout << "Call the demo contact center (SIP, UDP or TCP):\n";
  for (const auto& [number, queue] : telephony::TelephonyConfig::demo_numbers())
    std::cout << fmt::format("  sip:{}@{}:{:<6} {}\n", number, sip_host, port, queue);
  std::cout << fmt::format(
      "Agents' phones register as sip:LOGIN@{}:{} (e.g. sip:anna@{}:{}), SIP password '{}'.\n",
      sip_host, port, sip_host, port, service::kDemoPassword);
}

// Telephony's SIP users and DIDs: <data.dir>/telephony.json; --demo writes the
// demo's there first (every agent and supervisor, the demo password, DIDs 100-400).
Result<telephony::TelephonyConfig> telephony_config(const config::Config& cfg, store::Store& store) {
  std::string path = (std::filesystem::path(cfg.get_string("data.dir")) / "telephony.json").string();
  if (!cfg.get_bool("demo")) return telephony::load_telephony_config(path, nullptr);
  std::vector<std::string> logins;
  for (const auto& u : store.users())
    if (u.role == store::Role::kAgent || u.role == store::Role::kSupervisor) logins.push_back(u.login);
  auto demo = telephony::TelephonyConfig::demo(logins, service::kDemoPassword);
  return telephony::load_telephony_config(path, &demo);
}

}  // namespace

int serve(const config::Config& cfg) {
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::string data_dir = cfg.get_string("data.dir");
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create data directory {}: {}", data_dir, ec.message());
    return 1;
  }
  std::string url = config::database_url(cfg);
  auto store = store::open_store(url);
  if (!store) {
    spdlog::critical("cannot open database {}: {}", url, store.error().message);
    return 1;
  }
  if (auto s = (*store)->migrate(); !s) {
    spdlog::critical("database migration failed: {}", s.error().message);
    return 1;
  }

  SystemClock clock;
  metrics::Registry registry;
  api::EventHub hub;
  service::Fanout publishers;  // every routing event goes to each of these
  publishers.add(hub);
  service::Core core(**store, clock, publishers);
  std::unique_ptr<telephony::Telephony> phones;  // SIP; stays null if sip.listen is empty
  std::optional<config::HostPort> sip_hp;
  if (!cfg.get_string("sip.listen").empty()) {
    auto hp = config::parse_host_port(cfg.get_string("sip.listen"));
    if (!hp) {
      spdlog::critical("sip.listen: {}", hp.error().message);
      return 1;
    }
    sip_hp = *hp;
    telephony::TelephonyOptions topts;
    topts.host = hp->host;
    topts.port = static_cast<std::uint16_t>(hp->port);
    topts.media_threads = static_cast<int>(cfg.get_int("sip.media_threads"));
    topts.media_priority = telephony::parse_media_priority(cfg.get_string("sip.media_priority"));
    topts.media_timeout_s = std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration("sip.media_timeout")).count();
    topts.recordings_dir = (std::filesystem::path(cfg.get_string("data.dir")) / "recordings").string();
    phones = std::make_unique<telephony::Telephony>(core, registry, topts);
    publishers.add(*phones);
  }
  core.set_command_histogram(&registry.histogram(
      "switchboard_routing_command_seconds", "Time the routing thread spends on one command (decision latency)",
      {1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3, 1e-2}));
  if (auto s = core.start(); !s) {
    spdlog::critical("cannot start the routing core: {}", s.error().message);
    return 1;
  }

  std::vector<service::DemoLogin> demo_logins;
  if (cfg.get_bool("demo")) {
    auto logins = service::seed_demo(core, [](std::string_view p) { return auth::hash_password(p); });
    if (!logins) {
      spdlog::critical("demo seeding failed: {} {}", logins.error().field, logins.error().message);
      return 1;
    }
    demo_logins = *logins;
    if (demo_logins.empty()) {
      for (const auto& u : (*store)->users())
        demo_logins.push_back({u.login, "(unchanged)", std::string(store::to_string(u.role)), u.name});
    }
  }

  bool sip_up = false;
  if (phones) {
    auto tcfg = telephony_config(cfg, **store);
    if (!tcfg) {
      spdlog::critical("telephony: {}", tcfg.error().message);
      return 1;
    }
    if (auto s = phones->start(std::move(*tcfg)); !s) {
      // An address the operator chose must work; the default (5060) may be taken
      // by another SIP program, and the contact center still works without phones.
      if (cfg.source("sip.listen").kind != config::Source::Kind::kDefault) {
        spdlog::critical("[app] cannot start SIP on {} ({}): {}", cfg.get_string("sip.listen"),
                         cfg.source("sip.listen").to_string(), s.error().message);
        return 1;
      }
      spdlog::warn("[app] telephony disabled: {}", s.error().message);
    } else {
      sip_up = true;
    }
  }

  auto hp = config::parse_host_port(cfg.get_string("http.listen"));
  if (!hp) {
    spdlog::critical("http.listen: {}", hp.error().message);
    return 1;
  }
  http::ServerOptions opts;
  opts.address = hp->host;
  opts.port = hp->port;
  opts.threads = static_cast<int>(cfg.get_int("http.threads"));
  opts.body_limit = static_cast<std::size_t>(cfg.get_int("http.body_limit"));
  if (!cfg.get_string("web.root").empty()) opts.static_root = cfg.get_string("web.root");
  http::Server server(opts, registry);

  api::Sessions sessions(**store, clock, cfg.get_duration("session.ttl"),
                         auth::ThrottlePolicy{static_cast<int>(cfg.get_int("auth.max_failed_logins"))});
  service::Loop workers(clock, [] {});
  service::Loop replies(clock, [] {});
  api::Api api(api::Context{core, **store, sessions, hub, registry, workers, replies, kVersion,
                            sip_up ? phones.get() : nullptr,
                            (std::filesystem::path(cfg.get_string("data.dir")) / "recordings").string()});
  api.install(server);
  if (auto s = server.start(); !s) {
    spdlog::critical("{}", s.error().message);
    return 1;
  }
  std::string base = fmt::format("http://{}:{}", hp->host, server.bound_port());
  spdlog::info("[app] switchboard {} serving {} (database {})", kVersion, base, url);
  if (cfg.get_bool("demo")) print_demo(demo_logins, base);
  if (cfg.get_bool("demo") && sip_up) print_demo_phones(sip_hp->host, phones->sip_port());
  std::unique_ptr<RecordingRetention> retention;  // deletes recordings past recordings.retention (0: keep)
  if (auto keep = std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration("recordings.retention"));
      keep.count() > 0)
    retention = std::make_unique<RecordingRetention>(
        core, std::filesystem::path(cfg.get_string("data.dir")) / "recordings", keep);
  std::cout << "READY " << base << std::endl;

  int sig = wait_for_signal();
  retention.reset();
  spdlog::info("[app] signal {}: shutting down", sig);
  if (phones) phones->stop();  // BYE to live calls, before the core stops
  server.stop();
  workers.stop();
  replies.stop();
  core.stop();
  return 0;
}

}  // namespace sb::app
