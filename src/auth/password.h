#pragma once
// Password hashing with Argon2id (RFC 9106) and the password policy.
//
// Hashes are self-describing PHC strings ("$argon2id$v=19$m=19456,t=2,p=1$
// <salt>$<hash>"), so parameters can be raised later without invalidating
// stored hashes: verify_password() reads them from the string, and
// needs_rehash() tells the caller to re-hash on the next successful login.
//
// All functions are thread-safe. hash_password()/verify_password() are
// deliberately slow (tens of milliseconds and ~19 MiB with the default
// parameters): never call them on an event loop or routing thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sb::auth {

struct Argon2Params {
  std::uint32_t t_cost = 2;          // iterations
  std::uint32_t m_cost_kib = 19456;  // memory, KiB (19 MiB)
  std::uint32_t parallelism = 1;     // lanes

  // OWASP Password Storage Cheat Sheet minimum for Argon2id. The default.
  static constexpr Argon2Params owasp() { return {}; }
  // Cheap parameters for unit tests and demo seeding. Never for real users.
  static constexpr Argon2Params test() { return {1, 1024, 1}; }
};

// Hashes `password` with a fresh random 16-byte salt. Crashes if the system
// random generator or libargon2 fails (out of memory): neither is input error.
std::string hash_password(std::string_view password, const Argon2Params& params = Argon2Params::owasp());

// True when `password` matches `encoded`. False on mismatch and on anything
// that is not a well-formed argon2id string (never throws, never crashes).
// The comparison inside libargon2 is constant-time.
bool verify_password(std::string_view encoded, std::string_view password);

// True when `encoded` was made with parameters other than `params` (or is not
// an argon2id string at all): re-hash after the next successful verify.
bool needs_rehash(std::string_view encoded, const Argon2Params& params = Argon2Params::owasp());

// Password policy. Lengths count Unicode code points, so "żółwiątko" is 10.
inline constexpr std::size_t kMinPasswordCodePoints = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;  // bounds hashing work per request

// OK, or kInvalidArgument with field "password" when the password is not valid
// UTF-8, has fewer than 8 code points, is longer than 1024 bytes, or repeats a
// single character.
Status check_password_policy(std::string_view password);

}  // namespace sb::auth
