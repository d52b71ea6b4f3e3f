#pragma once
// Bearer tokens for sessions. A token is 32 bytes from the system CSPRNG,
// base64url without padding (43 characters). The store keeps only
// token_hash(token), so a leaked database does not yield usable tokens.
// All functions are thread-safe.
#include <string>
#include <string_view>

namespace sb::auth {

inline constexpr std::size_t kTokenBytes = 32;
inline constexpr std::size_t kTokenChars = 43;  // base64url(32 bytes), no padding

// A fresh random token. Crashes if the system random generator fails.
std::string new_token();

// SHA-256 of `token`, 64 lowercase hex characters.
std::string token_hash(std::string_view token);

// Equality whose running time depends only on the lengths, not on where the
// inputs differ. Use it for every comparison against a secret.
bool constant_time_equal(std::string_view a, std::string_view b);

// RFC 4648 section 5 alphabet, no padding. Exposed for tests.
std::string base64url_encode(std::string_view bytes);

}  // namespace sb::auth
