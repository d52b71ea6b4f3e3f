#pragma once
// What every route handler needs: the service core, the store, sessions, the
// event hub, and a Call that carries one authenticated request and its reply.
#include <optional>

#include <nlohmann/json.hpp>

#include "api/event_hub.h"
#include "api/principal.h"
#include "api/sessions.h"
#include "auth/permissions.h"
#include "http/handler.h"
#include "metrics/registry.h"
#include "service/core.h"
#include "service/loop.h"

namespace sb::telephony {
class Telephony;
}

namespace sb::api {

struct Context {
  service::Core& core;
  store::Store& store;
  Sessions& sessions;
  EventHub& hub;
  metrics::Registry& metrics;
  service::Loop& workers;  // slow work off the io threads (password hashing)
  service::Loop& replies;  // store reads and JSON serialisation after a routing query
  std::string version;
  telephony::Telephony* phones = nullptr;  // SIP telephony, when it runs
  std::string recordings_dir;              // where telephony writes call recordings ("" = none)
};

// One authenticated request in flight.
struct Call {
  http::Request req;
  Principal who;
  http::Reply reply;
  Context* ctx = nullptr;

  service::Actor actor() const { return {who.id, who.role, req.remote_addr}; }
  bool may(auth::Permission p) const { return auth::allowed(who.role, p); }
  void ok(const nlohmann::json& j, int status = 200) const { reply(http::Response::json(status, j)); }
  void fail(const Error& e) const { reply(http::Response::error(e)); }
  // Runs a command durably; answers with its value (or `status` on success).
  void run(service::Core::Fn fn, int status = 200) const;
  // Runs `fn` on the routing thread, then `then` on the replies thread, so the
  // routing thread computes only the live figures and never reads the store
  // or serialises a response.
  void query(service::Core::QueryFn fn, std::function<void(nlohmann::json)> then) const;
  // Parses the JSON body or answers the error; nullopt when answered.
  std::optional<nlohmann::json> body() const;
  // A numeric path parameter, or answers 400 naming it; nullopt when answered.
  std::optional<std::int64_t> id_param(const char* name = "id") const;
};

using CallHandler = std::function<void(Call&)>;

// A row of the route table: the permission a caller needs (none: public).
struct ApiRoute {
  const char* method;
  const char* pattern;
  std::optional<auth::Permission> permission;  // nullopt: public (no token needed)
  bool authenticated;                          // needs a token even without a permission
  const char* name;
  const char* summary;
  const char* tag;
  CallHandler handler;
  std::optional<auth::Permission> alt = std::nullopt;  // a second permission that also grants access

  bool allows(store::Role role) const {
    return !permission || auth::allowed(role, *permission) || (alt && auth::allowed(role, *alt));
  }
};

std::vector<ApiRoute> auth_routes();
std::vector<ApiRoute> config_routes();
std::vector<ApiRoute> agent_routes();
std::vector<ApiRoute> interaction_routes();
std::vector<ApiRoute> meta_routes();
std::vector<ApiRoute> report_routes();
std::vector<ApiRoute> telephony_routes();
std::vector<ApiRoute> recording_routes();

// Builds the OpenAPI 3 document of a route table.
nlohmann::json openapi(const std::vector<ApiRoute>& routes, const std::string& version);

}  // namespace sb::api
