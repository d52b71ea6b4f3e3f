#include "telephony/registrar.h"

#include <algorithm>

namespace sb::telephony {

void Registrar::update(const std::string& user, const std::string& contact, std::int64_t expires_s,
                       std::int64_t now_s) {
  if (expires_s <= 0) {
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return;
    it->second.erase(contact);
    if (it->second.empty()) by_user_.erase(it);
    return;
  }
  by_user_[user][contact] = Binding{contact, now_s + expires_s, now_s};
}

void Registrar::remove_all(const std::string& user) { by_user_.erase(user); }

std::vector<Binding> Registrar::bindings(const std::string& user, std::int64_t now_s) const {
  std::vector<Binding> out;
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return out;
  for (const auto& [c, b] : it->second)
    if (b.expires_at > now_s) out.push_back(b);
  return out;
}

std::optional<std::string> Registrar::contact(const std::string& user, std::int64_t now_s) const {
  const Binding* best = nullptr;
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return std::nullopt;
  for (const auto& [c, b] : it->second)
    if (b.expires_at > now_s && (!best || b.updated_at >= best->updated_at)) best = &b;
  if (!best) return std::nullopt;
  return best->contact;
}

std::size_t Registrar::prune(std::int64_t now_s) {
  std::size_t n = 0;
  for (auto it = by_user_.begin(); it != by_user_.end();) {
    n += std::erase_if(it->second, [&](const auto& kv) { return kv.second.expires_at <= now_s; });
    it = it->second.empty() ? by_user_.erase(it) : std::next(it);
  }
  return n;
}

std::size_t Registrar::size() const {
  std::size_t n = 0;
  for (const auto& [u, m] : by_user_) n += m.size();
  return n;
}

std::int64_t clamp_expires(std::int64_t requested, std::int64_t min_s, std::int64_t max_s) {
  if (requested <= 0) return 0;
  return std::clamp(requested, min_s, max_s);
}

}  // namespace sb::telephony
