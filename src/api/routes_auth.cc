// Login, logout, the caller's own profile and password.
#include "api/context.h"
#include "auth/password.h"
#include "service/commands.h"
#include "service/record_json.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

void login(Call& c) {
  auto body = c.body();
  if (!body) return;
  if (auto s = service::only_fields(*body, {"login", "password"}); !s) return c.fail(s.error());
  auto login = service::req_string(*body, "login", 100);
  if (!login) return c.fail(login.error());
  auto password = service::req_string(*body, "password", auth::kMaxPasswordBytes);
  if (!password) return c.fail(password.error());
  // argon2id takes tens of milliseconds: off the io thread.
  c.ctx->workers.post([ctx = c.ctx, reply = c.reply, login = *login, password = *password,
                       from = c.req.remote_addr] {
    Duration retry{};
    auto r = ctx->sessions.login(login, password, from, &retry);
    if (!r) {
      if (r.error().code == ErrorCode::kTooManyRequests)
        return reply(http::Response::error(
            r.error(), std::chrono::ceil<std::chrono::seconds>(retry)));
      return reply(http::Response::error(r.error()));
    }
    reply(http::Response::json(200, json{{"token", r->token},
                                         {"expires", to_iso8601(r->expires)},
                                         {"user", {{"id", r->who.id.value},
                                                   {"login", r->who.login},
                                                   {"name", r->who.name},
                                                   {"role", to_string(r->who.role)}}}}));
  });
}

void logout(Call& c) {
  auto s = c.ctx->sessions.logout(c.who, c.req.remote_addr);
  if (!s) return c.fail(s.error());
  c.reply(http::Response::no_content());
}

void me(Call& c) {
  auto u = c.ctx->store.user(c.who.id);
  if (!u) return c.fail(Error::not_found("user not found"));
  json j = service::to_json(*u);
  json perms = json::array();
  for (auto p : auth::permissions_of(c.who.role)) perms.push_back(std::string(auth::name(p)));
  j["permissions"] = perms;
  c.ok(j);
}

void change_password(Call& c) {
  auto body = c.body();
  if (!body) return;
  if (auto s = service::only_fields(*body, {"current", "password"}); !s) return c.fail(s.error());
  auto current = service::req_string(*body, "current", auth::kMaxPasswordBytes);
  if (!current) return c.fail(current.error());
  auto next = service::req_string(*body, "password", auth::kMaxPasswordBytes);
  if (!next) return c.fail(next.error());
  if (auto s = auth::check_password_policy(*next); !s) return c.fail(s.error());
  c.ctx->workers.post([c = c, current = *current, next = *next]() {
    auto u = c.ctx->store.user(c.who.id);
    if (!u || !auth::verify_password(u->password_hash, current))
      return c.fail(Error{ErrorCode::kPermissionDenied, "current password is wrong", "current"});
    std::string hash = auth::hash_password(next);
    c.ctx->sessions.forget_user(c.who.id);
    c.run(service::commands::update_user(c.who.id, json::object(), hash));
  });
}

}  // namespace

std::vector<ApiRoute> auth_routes() {
  return {
      {"POST", "/api/login", std::nullopt, false, "login", "Log in; returns a bearer token", "auth", login},
      {"POST", "/api/logout", std::nullopt, true, "logout", "End the caller's session", "auth", logout},
      {"GET", "/api/me", std::nullopt, true, "getMe", "The caller's user record and permissions", "auth", me},
      {"POST", "/api/me/password", std::nullopt, true, "changePassword", "Change the caller's password", "auth",
       change_password},
  };
}

}  // namespace sb::api
