#pragma once
// The SQLite schema as data: an ordered list of migrations. Each runs once, in
// its own transaction, and is recorded in `schema_migrations`. Append new
// migrations at the end; never edit one that has shipped.
#include <span>

#include "core/result.h"
#include "store/sqlite_db.h"

namespace sb::store {

struct Migration {
  int version;              // 1, 2, 3, ... without gaps
  const char* description;  // one line, stored in schema_migrations
  const char* sql;          // one or more statements
};

// The migrations this build knows, in order.
std::span<const Migration> sqlite_migrations();

// The highest applied version (0 for an empty database). Errors if the
// bookkeeping table cannot be read.
Result<int> applied_schema_version(Db& db);

// Applies the pending migrations of `migrations` to `db`, each in one
// transaction. Idempotent. Fails (applying nothing) when the database is newer
// than the newest known migration. The caller holds exclusive use of `db`.
Status apply_migrations(Db& db, std::span<const Migration> migrations, TimePoint now);

}  // namespace sb::store
