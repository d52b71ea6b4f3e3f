#pragma once
// Applies WriteOps to a SQLite connection. Upserts replace every column of the
// row and its owned child rows (skills, team queues, phones, e-mails).
// The caller holds the write connection and has opened a transaction (or a
// savepoint); on error the caller rolls back.
#include "core/result.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace sb::store {

Status apply_write(Db& db, const WriteOp& op);
// Applies the ops in order and stops at the first error.
Status apply_batch(Db& db, const WriteBatch& batch);

}  // namespace sb::store
