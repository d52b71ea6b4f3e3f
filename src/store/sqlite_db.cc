#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <cassert>
#include <fmt/format.h>

namespace sb::store {

// ---- Query ----

Query::~Query() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Query& Query::bind(std::int64_t v) {
  [[maybe_unused]] int rc = sqlite3_bind_int64(stmt_, next_++, v);
  assert(rc == SQLITE_OK);
  return *this;
}

Query& Query::bind(std::string_view v) {
  [[maybe_unused]] int rc =
      sqlite3_bind_text64(stmt_, next_++, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  assert(rc == SQLITE_OK);
  return *this;
}

Query& Query::bind(std::nullopt_t) {
  [[maybe_unused]] int rc = sqlite3_bind_null(stmt_, next_++);
  assert(rc == SQLITE_OK);
  return *this;
}

Result<bool> Query::step() {
  assert(next_ - 1 == sqlite3_bind_parameter_count(stmt_) && "every parameter must be bound");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(what_);
}

Status Query::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.error();
    if (!*r) return {};
  }
}

bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Query::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Query::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::int64_t> Query::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

// ---- Db ----

ErrorCode error_code_for(int code) {
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ErrorCode::kAlreadyExists;
    case SQLITE_CONSTRAINT_TRIGGER:  // append-only tables
      return ErrorCode::kConflict;
  }
  switch (code & 0xFF) {
    case SQLITE_CONSTRAINT:
      return ErrorCode::kInvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, const Options& options) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Error{ErrorCode::kUnavailable,
                 fmt::format("sqlite: cannot open database '{}': {}", path, msg), {}};
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // journal_mode=WAL is persistent in the file; setting it again is cheap.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;";
  pragmas += options.synchronous_full ? " PRAGMA synchronous=FULL;" : " PRAGMA synchronous=NORMAL;";
  if (options.read_only) pragmas += " PRAGMA query_only=ON;";
  if (Status s = db->exec(pragmas.c_str(), "open"); !s.ok()) {
    Error e = s.error();
    e.message = fmt::format("sqlite: cannot open database '{}': {}", path, e.message);
    return e;
  }
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Db::exec(const char* sql, std::string_view what) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return {};
  std::string text = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return Error{error_code_for(sqlite3_extended_errcode(db_)), fmt::format("{}: {}", what, text), {}};
}

Result<Query> Db::query(const std::string& sql, std::string_view what) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt, nullptr);
    if (rc != SQLITE_OK) return error(what);
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(*this, it->second, what);
}

Error Db::error(std::string_view what) const {
  return Error{error_code_for(sqlite3_extended_errcode(db_)),
               fmt::format("{}: {}", what, sqlite3_errmsg(db_)), {}};
}

bool Db::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

// ---- Transaction ----

Transaction::~Transaction() {
  if (open_ && !db_.autocommit()) db_.exec("ROLLBACK", "rollback").ok();
}

Status Transaction::begin(std::string_view what, bool immediate) {
  Status s = db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN", what);
  open_ = s.ok();
  return s;
}

Status Transaction::commit(std::string_view what) {
  Status s = db_.exec("COMMIT", what);
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace sb::store
