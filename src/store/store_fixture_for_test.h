#pragma once
// A migrated SqliteStore in a temp dir, plus record builders. Test-only.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/temp_dir_for_test.h"

namespace sb::store {

inline TimePoint at_s(std::int64_t seconds) { return from_micros(1'700'000'000'000'000 + seconds * 1'000'000); }

inline WriteBatch batch_of(WriteOp op) {
  WriteBatch b;
  b.ops.push_back(std::move(op));
  return b;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    store_.reset();
    auto s = SqliteStore::open(path(), SqliteStore::Options{});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    Status m = store_->migrate();
    ASSERT_TRUE(m.ok()) << m.error().message;
  }
  std::string path() const { return dir_.file("switchboard.db"); }

  void commit_ok(WriteOp op) {
    Status s = store_->commit(batch_of(std::move(op)));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace sb::store
