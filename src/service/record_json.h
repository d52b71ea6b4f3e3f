#pragma once
// JSON shapes of stored records for the API. Password hashes never leave the
// service layer; personal data is included only where the caller may see it
// (the API decides).
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "store/records.h"

namespace sb::service {

nlohmann::json to_json(const store::UserRecord& u);   // without password_hash
nlohmann::json to_json(const store::TeamRecord& t);
nlohmann::json to_json(const store::SkillRecord& s);
nlohmann::json to_json(const store::CodeRecord& c);
nlohmann::json to_json(const store::CustomerRecord& c);
nlohmann::json to_json(const store::InteractionRecord& i);
nlohmann::json to_json(const store::AuditRecord& a);
nlohmann::json to_json(const store::EventRecord& e);

// Field readers for request bodies: each names the field on error.
Result<std::string> req_string(const nlohmann::json& j, const char* field, std::size_t max_bytes = 200,
                               bool required = true);
Result<std::int64_t> req_int(const nlohmann::json& j, const char* field, std::int64_t lo, std::int64_t hi);
// Rejects fields not in `known` ("unknown field").
Status only_fields(const nlohmann::json& j, std::initializer_list<const char*> known);
// A phone number to dial: digits, '+', '-' and spaces.
Status check_phone(const std::string& number, const char* field);
// A code like "lunch" or "sale": 1..40 of [a-z0-9_-].
Status check_code(const std::string& code, const char* field);

}  // namespace sb::service
