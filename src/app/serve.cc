#include <csignal>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api.h"
#include "app/server_main.h"
#include "app/version.h"
#include "auth/password.h"
#include "config/value.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "service/demo.h"
#include "service/fanout.h"

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
  api::Api api(api::Context{core, **store, sessions, hub, registry, workers, replies, kVersion});
  api.install(server);
  if (auto s = server.start(); !s) {
    spdlog::critical("{}", s.error().message);
    return 1;
  }
  std::string base = fmt::format("http://{}:{}", hp->host, server.bound_port());
  spdlog::info("[app] switchboard {} serving {} (database {})", kVersion, base, url);
  if (cfg.get_bool("demo")) print_demo(demo_logins, base);
  std::cout << "READY " << base << std::endl;

  int sig = wait_for_signal();
  spdlog::info("[app] signal {}: shutting down", sig);
  server.stop();
  workers.stop();
  replies.stop();
  core.stop();
  return 0;
}

}  // namespace sb::app
