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
    std::string reg_uri = fmt::format("sip:{}:{};transport={}", t.host, t.port, t.transport);
    std::string aor = fmt::format("sip:{}@{}", t.username, t.host);
    int err = sipreg_register(&r->reg, sipstack, reg_uri.c_str(), aor.c_str(), nullptr, aor.c_str(),
                              static_cast<std::uint32_t>(t.register_expires_s), t.username.c_str(), nullptr, 0, 0,
                              &Impl::on_register_auth, r.get(), true, &Impl::on_register_response, r.get(), nullptr,
                              nullptr);
    if (err) {
      spdlog::error("[sip][trunk={}] cannot register at {}: {}", name, reg_uri, std::strerror(err));
      continue;
    }
    spdlog::info("[sip][trunk={}] registering {} at {} (every {} s)", name, aor, reg_uri, t.register_expires_s);
    trunk_regs.push_back(std::move(r));
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
  return err ? err : str_dup(pass, t.password.c_str());
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
}

}  // namespace sb::telephony
