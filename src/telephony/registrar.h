#pragma once
// The location service: which contacts each SIP user (= agent login) has
// registered, until when. Time is injected (seconds); no I/O. One thread
// (the SIP thread) owns it. Unit-tested in registrar_test.cc.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::telephony {

struct Binding {
  std::string contact;       // the Contact URI to send requests to
  std::int64_t expires_at = 0;
  std::int64_t updated_at = 0;
};

class Registrar {
 public:
  // Adds or refreshes (expires_s > 0) or removes (expires_s == 0) one contact.
  void update(const std::string& user, const std::string& contact, std::int64_t expires_s, std::int64_t now_s);
  void remove_all(const std::string& user);
  // The most recently refreshed live contact of `user`.
  std::optional<std::string> contact(const std::string& user, std::int64_t now_s) const;
  // Live bindings of `user` (for the REGISTER reply).
  std::vector<Binding> bindings(const std::string& user, std::int64_t now_s) const;
  // Drops expired bindings; returns how many were dropped.
  std::size_t prune(std::int64_t now_s);
  std::size_t size() const;  // bindings, expired ones included until prune()

 private:
  std::map<std::string, std::map<std::string, Binding>> by_user_;  // user -> contact -> binding
};

// Clamps a requested expiry into [min_s, max_s]; 0 stays 0 (unregister).
std::int64_t clamp_expires(std::int64_t requested, std::int64_t min_s, std::int64_t max_s);

}  // namespace sb::telephony
