#pragma once
// Normalised keys under which customers are found: by exact contact (phone or
// e-mail) and by case-insensitive substring search. Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

namespace sb::store {

// Digits only, keeping a leading '+': "+48 (600) 100-200" -> "+48600100200".
std::string phone_key(std::string_view phone);
// Trimmed and case-folded: " Anna.Kowalska@Example.PL " -> "anna.kowalska@example.pl".
std::string email_key(std::string_view email);
// True when `s` contains '@' (looked up as an e-mail, otherwise as a phone).
bool looks_like_email(std::string_view s);

// The text customers(search) matches against: folded name, phones (as entered
// and as phone_key), e-mails, separated by newlines.
std::string customer_search_key(const CustomerRecord& c);

// The needles for a search string: the folded text, and when the search looks
// like a phone number (digits and punctuation only) its digits.
struct SearchNeedles {
  std::string folded;
  std::optional<std::string> digits;
};
SearchNeedles search_needles(std::string_view search);

}  // namespace sb::store
