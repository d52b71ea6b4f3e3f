// libre's SIP digest client, answering from an HA1, by symbol interposition.
//
// WHY. libre 1.1's client side of digest authentication (src/sip/auth.c:
// sip_auth_alloc, sip_auth_authenticate, sip_auth_encode, sip_auth_reset,
// used by sipsess and sipreg for 401/407 challenges) asks its sip_auth_h for a
// user and a clear password and computes HA1 = MD5(user:realm:password)
// itself. Trunk credentials may be configured as an HA1 only ("ha1" in
// telephony.json: no clear password on disk), which libre cannot use.
//
// HOW. As libre_timers.cc does for tmr_*: this file defines the four
// functions with C linkage, the switchboard executable exports them
// (src/telephony/CMakeLists.txt), and libre calls them through its PLT, so
// its sipsess and sipreg use these. struct sip_auth is opaque outside libre's
// auth.c (re_sip.h only declares it), and all four functions that touch it are
// replaced together, so the struct here is our own. Challenges are parsed and
// answered by digest.h (plain C++, unit-tested).
//
// CONTRACT.
//  - In Switchboard a sip_auth_h returns the user in `username` and the HA1
//    (32 hex digits) in `password`. Telephony's handlers (on_trunk_auth,
//    on_register_auth) compute it from a configured password and the
//    challenge's realm when no "ha1" is configured.
//  - As libre's: one state per realm; a second challenge for a realm already
//    answered is taken as "wrong credentials" (EAUTH, no loop) unless it says
//    stale=true (new nonce, nc from 1); Authorization for WWW-Authenticate,
//    Proxy-Authorization for Proxy-Authenticate; qop=auth when offered (nc
//    counts per nonce, a random cnonce per request); MD5 only; no handler:
//    EAUTH.
//  - SIP thread only (libre's objects are).
#include "telephony/libre_auth.h"

#include <algorithm>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "telephony/digest.h"

extern "C" {
#include <dlfcn.h>
#include <re.h>
}

namespace {

struct Realm {
  sb::telephony::DigestChallenge ch;
  std::string user, ha1;
  std::uint32_t nc = 1;
  bool proxy = false;  // Proxy-Authenticate: answered in Proxy-Authorization
  bool fresh = false;  // added by the challenge being read now
};

}  // namespace

// Allocated by mem_zalloc (libre mem_derefs it), constructed in place.
struct sip_auth {
  std::vector<Realm> realms;
  sip_auth_h* authh = nullptr;
  void* arg = nullptr;
  bool ref = false;
  int err = 0;          // stops the walk: the credentials were refused, or none could be had
  int skipped_err = 0;  // why a challenge was passed over (an algorithm or qop we do not answer)
};

namespace {

void auth_destructor(void* p) {
  auto* a = static_cast<sip_auth*>(p);
  if (a->ref) mem_deref(a->arg);
  a->~sip_auth();
}

struct Challenged {
  sip_auth* auth;
  bool proxy;
};

bool on_challenge(const sip_hdr* hdr, const sip_msg*, void* arg) {
  auto* c = static_cast<Challenged*>(arg);
  sip_auth& a = *c->auth;
  auto ch = sb::telephony::parse_digest_challenge(std::string(hdr->val.p, hdr->val.l));
  if (!ch) {  // (RFC 8760 servers offer SHA-256 first, then MD5: the walk goes on to the next)
    spdlog::info("[sip] passing over the challenge '{}': {}", std::string(hdr->val.p, hdr->val.l),
                 ch.error().message);
    if (!a.skipped_err) a.skipped_err = ch.error().field == "algorithm" || ch.error().field == "qop" ? ENOSYS : EBADMSG;
    return false;
  }
  for (Realm& r : a.realms) {
    if (str_casecmp(r.ch.realm.c_str(), ch->realm.c_str()) != 0) continue;
    if (r.fresh) return false;  // a second challenge for a realm this response already got an answer for
    if (!ch->stale) {  // answered already and challenged again: the credentials are wrong
      a.err = EAUTH;
      return true;
    }
    r.ch = *ch;
    r.nc = 1;
    r.proxy = c->proxy;
    r.fresh = true;
    return false;
  }
  if (!a.authh) {
    a.err = EAUTH;
    return true;
  }
  char* user = nullptr;
  char* secret = nullptr;
  int err = a.authh(&user, &secret, ch->realm.c_str(), a.arg);
  Realm r;
  if (!err) {
    r.user = user ? user : "";
    r.ha1 = secret ? secret : "";
    if (!sb::telephony::is_ha1(r.ha1)) {
      spdlog::error("[sip] the credentials handler for realm '{}' gave no HA1", ch->realm);
      err = EINVAL;
    }
  }
  mem_deref(user);
  mem_deref(secret);
  if (err) {
    a.err = err;
    return true;
  }
  for (char& ch_ : r.ha1) ch_ = static_cast<char>(std::tolower(static_cast<unsigned char>(ch_)));
  r.ch = *ch;
  r.proxy = c->proxy;
  r.fresh = true;
  a.realms.push_back(std::move(r));
  return false;
}

}  // namespace

extern "C" {

// libre 1.1's src/sip/sip.h (not installed): the request code calls it.
int sip_auth_encode(struct mbuf* mb, struct sip_auth* auth, const char* met, const char* uri);

int sip_auth_alloc(struct sip_auth** authp, sip_auth_h* authh, void* arg, bool ref) {
  if (!authp) return EINVAL;
  void* mem = mem_zalloc(sizeof(sip_auth), auth_destructor);
  if (!mem) return ENOMEM;
  auto* a = new (mem) sip_auth();
  a->authh = authh;
  a->arg = ref ? mem_ref(arg) : arg;
  a->ref = ref;
  *authp = a;
  return 0;
}

int sip_auth_authenticate(struct sip_auth* auth, const struct sip_msg* msg) {
  if (!auth || !msg) return EINVAL;
  auth->err = 0;
  for (Realm& r : auth->realms) r.fresh = false;
  Challenged www{auth, false}, proxy{auth, true};
  if (sip_msg_hdr_apply(msg, true, SIP_HDR_WWW_AUTHENTICATE, on_challenge, &www)) return auth->err;
  if (sip_msg_hdr_apply(msg, true, SIP_HDR_PROXY_AUTHENTICATE, on_challenge, &proxy)) return auth->err;
  // Nothing answerable: an error, not the same request again (libre would resend it at once, for ever).
  bool answered = std::any_of(auth->realms.begin(), auth->realms.end(), [](const Realm& r) { return r.fresh; });
  if (!answered) return auth->skipped_err ? auth->skipped_err : EAUTH;
  return 0;
}

int sip_auth_encode(struct mbuf* mb, struct sip_auth* auth, const char* met, const char* uri) {
  if (!mb || !auth || !met || !uri) return EINVAL;
  int err = 0;
  for (Realm& r : auth->realms) {
    std::string cnonce = fmt::format("{:016x}", rand_u64());
    std::string value = sb::telephony::digest_authorization(r.ch, r.user, r.ha1, met, uri, r.nc, cnonce);
    ++r.nc;
    err |= mbuf_printf(mb, "%s: %s\r\n", r.proxy ? "Proxy-Authorization" : "Authorization", value.c_str());
    if (err) break;
  }
  return err;
}

void sip_auth_reset(struct sip_auth* auth) {
  if (auth) auth->realms.clear();
}

}  // extern "C"

namespace sb::telephony {

bool libre_auth_in_use() {
  struct Symbol {
    const char* name;
    void* ours;
  };
  const Symbol symbols[] = {
      {"sip_auth_alloc", reinterpret_cast<void*>(&sip_auth_alloc)},
      {"sip_auth_authenticate", reinterpret_cast<void*>(&sip_auth_authenticate)},
      {"sip_auth_encode", reinterpret_cast<void*>(&sip_auth_encode)},
      {"sip_auth_reset", reinterpret_cast<void*>(&sip_auth_reset)},
  };
  for (const Symbol& s : symbols)
    if (dlsym(RTLD_DEFAULT, s.name) != s.ours) return false;
  return true;
}

Status check_libre_auth() {
  if (libre_auth_in_use()) {
    spdlog::debug("[sip] digest client: Switchboard's (answers trunk challenges from an HA1)");
    return {};
  }
  return Error{ErrorCode::kInternal,
               "libre's sip_auth_* are not Switchboard's (the executable does not export them): trunk credentials "
               "would be answered wrongly",
               "sip"};
}

}  // namespace sb::telephony
