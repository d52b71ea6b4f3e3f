#include "auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

namespace sb::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "[auth] fatal: %s\n", what);
  std::abort();
}

// Decodes one UTF-8 code point starting at s[i]; advances i. nullopt when the
// sequence is malformed (overlong, surrogate, out of range, truncated).
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  std::size_t len;
  char32_t cp;
  char32_t min;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + len > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

// Parses "$argon2id$v=19$m=M,t=T,p=P$..." into its parameters.
std::optional<Argon2Params> parse_params(std::string_view encoded) {
  constexpr std::string_view kPrefix = "$argon2id$v=19$";
  if (!encoded.starts_with(kPrefix)) return std::nullopt;
  std::string head(encoded.substr(kPrefix.size()));
  unsigned m = 0, t = 0, p = 0;
  int consumed = 0;
  if (std::sscanf(head.c_str(), "m=%u,t=%u,p=%u%n", &m, &t, &p, &consumed) != 3) return std::nullopt;
  if (static_cast<std::size_t>(consumed) >= head.size() || head[consumed] != '$') return std::nullopt;
  return Argon2Params{t, m, p};
}

}  // namespace

std::string hash_password(std::string_view password, const Argon2Params& params) {
  std::array<unsigned char, kSaltBytes> salt;
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) die("RAND_bytes failed");

  std::string encoded(argon2_encodedlen(params.t_cost, params.m_cost_kib, params.parallelism, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  int rc = argon2id_hash_encoded(params.t_cost, params.m_cost_kib, params.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(),
                                 encoded.size());
  if (rc != ARGON2_OK) die(argon2_error_message(rc));
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));  // drop the NUL terminator
  return encoded;
}

bool verify_password(std::string_view encoded, std::string_view password) {
  // Reject anything we did not produce before handing it to libargon2: a
  // stored string with absurd parameters must not allocate gigabytes.
  auto params = parse_params(encoded);
  if (!params || params->m_cost_kib > (1u << 22) || params->t_cost > 64 || params->parallelism > 64) return false;
  if (encoded.find('\0') != std::string_view::npos) return false;
  std::string z(encoded);  // libargon2 wants a NUL-terminated string
  return argon2id_verify(z.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool needs_rehash(std::string_view encoded, const Argon2Params& params) {
  auto got = parse_params(encoded);
  return !got || got->t_cost != params.t_cost || got->m_cost_kib != params.m_cost_kib ||
         got->parallelism != params.parallelism;
}

Status check_password_policy(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return Error::invalid("password", fmt::format("must be at most {} bytes", kMaxPasswordBytes));
  }
  std::size_t count = 0;
  bool all_same = true;
  std::optional<char32_t> first;
  for (std::size_t i = 0; i < password.size();) {
    auto cp = next_code_point(password, i);
    if (!cp) return Error::invalid("password", "must be valid UTF-8");
    if (!first) first = *cp;
    else if (*cp != *first) all_same = false;
    ++count;
  }
  if (count < kMinPasswordCodePoints) {
    return Error::invalid("password", fmt::format("must be at least {} characters", kMinPasswordCodePoints));
  }
  if (all_same) return Error::invalid("password", "must not repeat a single character");
  return {};
}

}  // namespace sb::auth
