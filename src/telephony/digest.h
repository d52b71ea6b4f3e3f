#pragma once
// HTTP digest authentication as SIP uses it (RFC 2617 / RFC 3261 §22.4):
// MD5, qop "auth" or none. Nonces are stateless: "<issued-at hex>.<HMAC>"
// so any nonce we issued can be checked without a table, and goes stale after
// a TTL. Plain C++ (OpenSSL for MD5/HMAC), unit-tested in digest_test.cc.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sb::telephony {

std::string md5_hex(std::string_view data);
std::string digest_ha1(std::string_view user, std::string_view realm, std::string_view password);

// An Authorization (or Proxy-Authorization) header's parameters.
struct DigestCredentials {
  std::string username, realm, nonce, uri, response, algorithm, qop, nc, cnonce, opaque;
};
// Parses `Digest k=v, k="v", ...`. Errors if not Digest or a required field is missing.
Result<DigestCredentials> parse_digest(std::string_view header_value);

// The response the client must have computed for `method`.
std::string digest_response(std::string_view ha1, std::string_view method, const DigestCredentials& c);

// A WWW-Authenticate / Proxy-Authenticate challenge (the client side: our
// answers to a trunk). Only MD5 and qop "auth" (or none) are understood.
struct DigestChallenge {
  std::string realm, nonce, opaque, algorithm;
  bool qop_auth = false;  // the server offered qop "auth": answer with qop=auth, nc, cnonce
  bool stale = false;     // the previous nonce expired; the credentials were right
};
// Parses `Digest realm="…", nonce="…", …`. An algorithm
// other than MD5, a qop list without "auth", or a malformed header: an error naming it.
Result<DigestChallenge> parse_digest_challenge(std::string_view header_value);

// The (Proxy-)Authorization header value answering `ch` for `method` and
// request `uri`, from the HA1 (MD5(user:realm:password), lowercase hex);
// `nc` counts this nonce's uses from 1, `cnonce` is the client's nonce.
std::string digest_authorization(const DigestChallenge& ch, std::string_view user, std::string_view ha1,
                                 std::string_view method, std::string_view uri, std::uint32_t nc,
                                 std::string_view cnonce);

// 32 hex digits (either case): the form of an HA1.
bool is_ha1(std::string_view s);

class NonceSource {
 public:
  explicit NonceSource(std::string secret) : secret_(std::move(secret)) {}
  std::string make(std::int64_t now_s) const;
  enum class Check { kValid, kStale, kInvalid };
  Check check(std::string_view nonce, std::int64_t now_s, std::int64_t ttl_s) const;

 private:
  std::string sign(std::string_view issued) const;
  std::string secret_;
};

// A verdict on one request's credentials.
enum class AuthResult { kOk, kMissing, kStale, kDenied };
AuthResult verify_digest(const DigestCredentials& c, std::string_view expected_realm, std::string_view ha1,
                         std::string_view method, const NonceSource& nonces, std::int64_t now_s, std::int64_t ttl_s);

}  // namespace sb::telephony
