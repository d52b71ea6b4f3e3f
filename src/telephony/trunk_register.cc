// Registering Switchboard with providers' trunks (outbound REGISTER).
//
// A trunk with `"register": true` in telephony.json gets a libre sipreg: a
// REGISTER for sip:<username>@<host> with Contact sip:<username>@<our
// address>, answered to the provider's 401/407 with the trunk's credentials,
// and refreshed by libre before `register_expires` runs out (and retried
// after a failure). The provider then sends inbound calls to that contact:
// their Request-URI user is the account, and the dialled number is in To
// (inbound.cc looks there when the Request-URI names no number). On shutdown
// the registration is removed (REGISTER with Expires: 0) before the SIP
// stack closes. State: the log, and switchboard_sip_trunk_registered{trunk}.
#include "telephony/impl.h"

namespace sb::telephony {

void Telephony::Impl::register_trunks() {
  for (const auto& [name, t] : config.trunks) {
    if (!t.registers) continue;
    auto r = std::make_unique<TrunkRegistration>();
    r->tel = this;
    r->trunk = t;
    r->registered = &trunk_registered.with({name});
    r->registered->set(0);
    trunk_regs.push_back(std::move(r));
    restart_registration(name);  // an IP address at once; a DNS name once it resolves
  }
}

void Telephony::Impl::restart_registration(const std::string& trunk) {
  for (auto& r : trunk_regs) {
    if (r->trunk.name != trunk) continue;
    const TrunkConfig& t = r->trunk;
    std::string why;
    const SipTarget* to = trunk_target(trunk, &why);
    if (to && r->reg && r->target == to->text()) return;  // already there
    if (r->reg) {  // moving (or nowhere to go): libre unregisters the old binding
      r->reg = static_cast<sipreg*>(mem_deref(r->reg));
      r->registered->set(0);
      r->last_status = -1;
    }
    r->target.clear();
    if (!to) {  // quiet while the first lookup is under way; it registers when the answer comes
      auto a = trunk_addrs.find(trunk);
      bool pending = a != trunk_addrs.end() && a->second.needs_dns() && a->second.error().empty();
      if (!pending) spdlog::warn("[sip][trunk={}] not registering: {}", trunk, why);
      return;
    }
    std::string reg_uri = fmt::format("sip:{};transport={}", trunk_uri_hostport(t), t.transport);
    std::string aor = fmt::format("sip:{}@{}", t.username, t.host.find(':') != std::string::npos
                                                                 ? "[" + t.host + "]"
                                                                 : t.host);
    std::string route = trunk_route(t, *to);
    const char* routev[1] = {route.c_str()};
    int err = sipreg_register(&r->reg, sipstack, reg_uri.c_str(), aor.c_str(), nullptr, aor.c_str(),
                              static_cast<std::uint32_t>(t.register_expires_s), t.username.c_str(),
                              route.empty() ? nullptr : routev, route.empty() ? 0 : 1, 0, &Impl::on_register_auth,
                              r.get(), true, &Impl::on_register_response, r.get(), nullptr, nullptr);
    if (err) {
      r->reg = nullptr;
      spdlog::error("[sip][trunk={}] cannot register at {}: {}", trunk, reg_uri, std::strerror(err));
      return;
    }
    r->target = to->text();
    spdlog::info("[sip][trunk={}] registering {} at {}{} (every {} s)", trunk, aor, reg_uri,
                 route.empty() ? "" : " via " + to->text(), t.register_expires_s);
    return;
  }
}

int Telephony::Impl::on_register_auth(char** user, char** pass, const char* realm, void* arg) {
  auto* r = static_cast<TrunkRegistration*>(arg);
  const TrunkConfig& t = r->trunk;
  if (!t.realm.empty() && t.realm != realm) {
    spdlog::warn("[sip][trunk={}] registration challenged with realm '{}', expected '{}'", t.name, realm, t.realm);
    return EAUTH;
  }
  int err = str_dup(user, t.username.c_str());
  return err ? err : str_dup(pass, t.ha1_for(realm).c_str());  // an HA1: libre_auth.cc
}

void Telephony::Impl::on_register_response(int err, const sip_msg* msg, void* arg) {
  auto* r = static_cast<TrunkRegistration*>(arg);
  int status = msg ? msg->scode : 0;
  if (status >= 100 && status < 200) return;
  bool ok = !err && status >= 200 && status < 300;
  if (status != r->last_status) {  // transitions only: refreshes are quiet
    if (ok)
      spdlog::info("[sip][trunk={}] registered ({} {})", r->trunk.name, status, str(msg->reason));
    else
      spdlog::warn("[sip][trunk={}] registration failed: {}", r->trunk.name,
                   msg ? fmt::format("{} {}", status, str(msg->reason)) : std::string(std::strerror(err)));
  }
  r->last_status = status;
  r->registered->set(ok ? 1 : 0);
  if (err && !msg) r->tel->trunk_unreachable(r->trunk.name);  // no answer at all: its next address, a new lookup
}

}  // namespace sb::telephony
