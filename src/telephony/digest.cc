#include "telephony/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace sb::telephony {

namespace {

std::string hex(const unsigned char* d, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Constant-time comparison of equal-length strings.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
  return hex(md, n);
}

std::string digest_ha1(std::string_view user, std::string_view realm, std::string_view password) {
  return md5_hex(fmt::format("{}:{}:{}", user, realm, password));
}

namespace {

// `Digest k=v, k="v", ...` -> calls on_param(key, value) for each parameter.
// `what` names the header in errors.
template <class F>
Status parse_digest_params(std::string_view v, const char* what, F on_param) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() < 7 || !ieq(v.substr(0, 6), "Digest") || (v[6] != ' ' && v[6] != '\t'))
    return Error::invalid(what, "not a Digest header");
  v.remove_prefix(7);
  while (!v.empty()) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == ',')) v.remove_prefix(1);
    if (v.empty()) break;
    std::size_t eq = v.find('=');
    if (eq == std::string_view::npos) return Error::invalid(what, "parameter without '='");
    std::string_view key = v.substr(0, eq);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    v.remove_prefix(eq + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    std::string value;
    if (!v.empty() && v.front() == '"') {
      v.remove_prefix(1);
      std::size_t i = 0;
      for (; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value.push_back(v[i]);
      }
      if (i >= v.size()) return Error::invalid(what, "unterminated quoted string");
      v.remove_prefix(i + 1);
    } else {
      std::size_t end = v.find(',');
      std::string_view raw = v.substr(0, end);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
      value = std::string(raw);
      v = end == std::string_view::npos ? std::string_view{} : v.substr(end);
    }
    on_param(key, std::move(value));
  }
  return {};
}

}  // namespace

Result<DigestCredentials> parse_digest(std::string_view v) {
  DigestCredentials c;
  Status st = parse_digest_params(v, "Authorization", [&](std::string_view key, std::string value) {
    std::string* dst = nullptr;
    if (ieq(key, "username")) dst = &c.username;
    else if (ieq(key, "realm")) dst = &c.realm;
    else if (ieq(key, "nonce")) dst = &c.nonce;
    else if (ieq(key, "uri")) dst = &c.uri;
    else if (ieq(key, "response")) dst = &c.response;
    else if (ieq(key, "algorithm")) dst = &c.algorithm;
    else if (ieq(key, "qop")) dst = &c.qop;
    else if (ieq(key, "nc")) dst = &c.nc;
    else if (ieq(key, "cnonce")) dst = &c.cnonce;
    else if (ieq(key, "opaque")) dst = &c.opaque;
    if (dst) *dst = std::move(value);
  });
  if (!st) return st.error();
  for (auto [name, val] : {std::pair{"username", &c.username}, {"realm", &c.realm}, {"nonce", &c.nonce},
                           {"uri", &c.uri}, {"response", &c.response}})
    if (val->empty()) return Error::invalid(name, "is required in Digest credentials");
  if (!c.qop.empty() && (c.nc.empty() || c.cnonce.empty())) return Error::invalid("qop", "needs nc and cnonce");
  return c;
}

std::string digest_response(std::string_view ha1, std::string_view method, const DigestCredentials& c) {
  std::string ha2 = md5_hex(fmt::format("{}:{}", method, c.uri));
  if (c.qop.empty()) return md5_hex(fmt::format("{}:{}:{}", ha1, c.nonce, ha2));
  return md5_hex(fmt::format("{}:{}:{}:{}:{}:{}", ha1, c.nonce, c.nc, c.cnonce, c.qop, ha2));
}

Result<DigestChallenge> parse_digest_challenge(std::string_view header_value) {
  DigestChallenge ch;
  std::string qop, stale;
  Status st = parse_digest_params(header_value, "WWW-Authenticate", [&](std::string_view key, std::string value) {
    if (ieq(key, "realm")) ch.realm = std::move(value);
    else if (ieq(key, "nonce")) ch.nonce = std::move(value);
    else if (ieq(key, "opaque")) ch.opaque = std::move(value);
    else if (ieq(key, "algorithm")) ch.algorithm = std::move(value);
    else if (ieq(key, "qop")) qop = std::move(value);
    else if (ieq(key, "stale")) stale = std::move(value);
  });
  if (!st) return st.error();
  if (ch.nonce.empty()) return Error::invalid("nonce", "is required in a Digest challenge");
  if (!ch.algorithm.empty() && !ieq(ch.algorithm, "MD5"))
    return Error::invalid("algorithm", ch.algorithm + " is not supported (only MD5)");
  // qop is a quoted list ("auth,auth-int"): we answer "auth" when it is offered.
  if (!qop.empty()) {
    std::string_view rest = qop;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string_view tok = rest.substr(0, comma);
      while (!tok.empty() && (tok.front() == ' ' || tok.front() == '\t')) tok.remove_prefix(1);
      while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t')) tok.remove_suffix(1);
      if (ieq(tok, "auth")) ch.qop_auth = true;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (!ch.qop_auth) return Error::invalid("qop", qop + " is not supported (only auth)");
  }
  ch.stale = ieq(stale, "true");
  return ch;
}

std::string digest_authorization(const DigestChallenge& ch, std::string_view user, std::string_view ha1,
                                 std::string_view method, std::string_view uri, std::uint32_t nc,
                                 std::string_view cnonce) {
  DigestCredentials c;
  c.uri = std::string(uri);
  c.nonce = ch.nonce;
  if (ch.qop_auth) {
    c.qop = "auth";
    c.nc = fmt::format("{:08x}", nc);
    c.cnonce = std::string(cnonce);
  }
  auto quoted = [](std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "\"";
  };
  std::string h = fmt::format("Digest username={}, realm={}, nonce={}, uri={}, response=\"{}\"", quoted(user),
                              quoted(ch.realm), quoted(ch.nonce), quoted(uri), digest_response(ha1, method, c));
  if (!ch.opaque.empty()) h += fmt::format(", opaque={}", quoted(ch.opaque));
  if (ch.qop_auth) h += fmt::format(", cnonce={}, qop=auth, nc={}", quoted(cnonce), c.nc);
  h += ", algorithm=MD5";
  return h;
}

bool is_ha1(std::string_view s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

std::string NonceSource::sign(std::string_view issued) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(issued.data()), issued.size(), md, &n);
  return hex(md, 16);
}

std::string NonceSource::make(std::int64_t now_s) const {
  std::string issued = fmt::format("{:x}", now_s);
  return issued + "." + sign(issued);
}

NonceSource::Check NonceSource::check(std::string_view nonce, std::int64_t now_s, std::int64_t ttl_s) const {
  std::size_t dot = nonce.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 16) return Check::kInvalid;
  std::string_view issued = nonce.substr(0, dot);
  if (!same(nonce.substr(dot + 1), sign(issued))) return Check::kInvalid;
  std::int64_t t = 0;
  auto [p, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), t, 16);
  if (ec != std::errc() || p != issued.data() + issued.size()) return Check::kInvalid;
  if (t > now_s + 5) return Check::kInvalid;
  return now_s - t > ttl_s ? Check::kStale : Check::kValid;
}

AuthResult verify_digest(const DigestCredentials& c, std::string_view expected_realm, std::string_view ha1,
                         std::string_view method, const NonceSource& nonces, std::int64_t now_s, std::int64_t ttl_s) {
  if (c.realm != expected_realm) return AuthResult::kDenied;
  if (!c.algorithm.empty() && !ieq(c.algorithm, "MD5")) return AuthResult::kDenied;
  if (!c.qop.empty() && !ieq(c.qop, "auth")) return AuthResult::kDenied;
  auto n = nonces.check(c.nonce, now_s, ttl_s);
  if (n == NonceSource::Check::kInvalid) return AuthResult::kDenied;
  if (!same(digest_response(ha1, method, c), c.response)) return AuthResult::kDenied;
  // Right password with an old nonce: ask again with stale=true (no new password prompt).
  return n == NonceSource::Check::kStale ? AuthResult::kStale : AuthResult::kOk;
}

}  // namespace sb::telephony
