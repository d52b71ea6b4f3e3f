#pragma once
// RAII wrappers around one SQLite connection and its prepared statements.
// Internal to the SQLite backend: nothing outside src/store/sqlite_* includes
// <sqlite3.h> through this header's users.
//
// Threading: a Db is used by one thread at a time (connections are opened
// with SQLITE_OPEN_NOMUTEX); the owner serialises access (SqliteStore's write
// mutex, ReadPool leases).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/ids.h"
#include "core/result.h"
#include "core/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sb::store {

class Db;

// A cached prepared statement, borrowed from a Db. Binds by position in call
// order (bind() then bind() ...), steps, and resets itself when destroyed.
// Must not outlive the Db, and only one Query per SQL text may be alive.
class Query {
 public:
  Query(Db& db, sqlite3_stmt* stmt, std::string_view what) : db_(&db), stmt_(stmt), what_(what) {}
  Query(Query&& o) noexcept : db_(o.db_), stmt_(o.stmt_), what_(o.what_), next_(o.next_) { o.stmt_ = nullptr; }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& bind(std::int64_t v);
  Query& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  Query& bind(bool v) { return bind(static_cast<std::int64_t>(v ? 1 : 0)); }
  Query& bind(std::string_view v);
  Query& bind(const std::string& v) { return bind(std::string_view(v)); }
  Query& bind(const char* v) { return bind(std::string_view(v)); }
  Query& bind(std::nullopt_t);
  Query& bind(TimePoint t) { return bind(to_micros(t)); }
  template <class Tag>
  Query& bind(Id<Tag> id) { return bind(id.value); }
  template <class T>
  Query& bind(const std::optional<T>& v) { return v ? bind(*v) : bind(std::nullopt); }
  template <class... Args>
  Query& bind_all(const Args&... args) { (bind(args), ...); return *this; }

  // true: a row is available; false: done. Errors name `what`.
  Result<bool> step();
  // Steps to completion (for statements that return no rows).
  Status run();

  // Column accessors for the current row (0-based).
  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  TimePoint time(int col) const { return from_micros(int64(col)); }

 private:
  Db* db_;
  sqlite3_stmt* stmt_;
  std::string_view what_;
  int next_ = 1;  // next bind position
};

class Db {
 public:
  struct Options {
    bool read_only = false;        // query_only; still opened read-write so WAL works
    int busy_timeout_ms = 5000;
    bool synchronous_full = true;  // writer: fsync the WAL on every commit
  };

  // Opens or creates the database file at `path`. The parent directory must exist.
  static Result<std::unique_ptr<Db>> open(const std::string& path, const Options& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results. `what` names the operation in errors.
  Status exec(const char* sql, std::string_view what);
  // A cached prepared statement for `sql` (prepared on first use). `what` must outlive the Query.
  Result<Query> query(const std::string& sql, std::string_view what);

  // An Error carrying SQLite's last message for this connection, mapped to an ErrorCode.
  Error error(std::string_view what) const;
  // True when no transaction is open (SQLite may roll back on its own after I/O errors).
  bool autocommit() const;
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Maps an extended SQLite result code to an ErrorCode.
ErrorCode error_code_for(int sqlite_extended_code);

// Transaction guard: BEGIN IMMEDIATE in begin(); rolls back on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction();
  // immediate: take the write lock now (writers); false: a deferred read snapshot.
  Status begin(std::string_view what, bool immediate = true);
  Status commit(std::string_view what);

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace sb::store
