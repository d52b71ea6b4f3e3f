// Requests outside dialogs: REGISTER (digest-authenticated bindings) and OPTIONS.
#include "telephony/impl.h"

namespace sb::telephony {

// ---------------------------------------------------------------- requests outside dialogs
bool Telephony::Impl::on_request(const sip_msg* msg, void* arg) {
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

void Telephony::Impl::challenge(const sip_msg* msg, bool stale) {
  std::string nonce = nonces.make(now_s());
  sip_replyf(sipstack, msg, 401, "Unauthorized",
             "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"%s\r\n"
             "Content-Length: 0\r\n\r\n",
             config.realm.c_str(), nonce.c_str(), stale ? ", stale=true" : "");
}

void Telephony::Impl::on_register(const sip_msg* msg) {
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

void Telephony::Impl::on_prune(void* arg) {
  auto* self = static_cast<Impl*>(arg);
  self->registrar.prune(now_s());
  self->ivr_tick();
  self->media_timeout_tick();
  self->trunk_dns_tick();
  self->registrations_gauge.set(static_cast<double>(self->registrar.size()));
  tmr_start(&self->prune_tmr, 1000, &Impl::on_prune, self);
}

}  // namespace sb::telephony
