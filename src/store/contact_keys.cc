#include "store/contact_keys.h"

#include "store/text_fold.h"

namespace sb::store {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_phone_punct(char c) { return is_space(c) || c == '+' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

std::string phone_key(std::string_view phone) {
  phone = trim(phone);
  std::string key;
  if (!phone.empty() && phone.front() == '+') key += '+';
  for (char c : phone)
    if (is_digit(c)) key += c;
  return key == "+" ? std::string() : key;
}

std::string email_key(std::string_view email) { return fold_case(trim(email)); }

bool looks_like_email(std::string_view s) { return s.find('@') != std::string_view::npos; }

std::string customer_search_key(const CustomerRecord& c) {
  std::string key = fold_case(c.name);
  for (const std::string& p : c.phones) {
    key += '\n';
    key += fold_case(p);
    key += '\n';
    key += phone_key(p);
  }
  for (const std::string& e : c.emails) {
    key += '\n';
    key += email_key(e);
  }
  return key;
}

SearchNeedles search_needles(std::string_view search) {
  SearchNeedles n;
  n.folded = fold_case(trim(search));
  std::string digits;
  bool phone_like = true;
  for (char c : search) {
    if (is_digit(c)) digits += c;
    else if (!is_phone_punct(c)) phone_like = false;
  }
  if (phone_like && !digits.empty() && digits != n.folded) n.digits = std::move(digits);
  return n;
}

}  // namespace sb::store
