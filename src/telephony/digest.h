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
