#include "store/migrations.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/temp_dir_for_test.h"

namespace sb::store {
namespace {

const TimePoint kNow = from_micros(1'700'000'000'000'000);

int count(Db& db, const std::string& sql) {
  auto q = db.query(sql, "test.count");
  EXPECT_TRUE(q.ok());
  auto row = q->step();
  EXPECT_TRUE(row.ok() && *row);
  return static_cast<int>(q->int64(0));
}

TEST(Migrations, AreNumberedWithoutGaps) {
  int expected = 1;
  for (const Migration& m : sqlite_migrations()) EXPECT_EQ(m.version, expected++) << m.description;
}

TEST(Migrations, FreshDatabaseGetsEveryVersionRecordedOnce) {
  TempDir dir;
  auto db = Db::open(dir.file("db.sqlite"), {});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*applied_schema_version(**db), 0);
  ASSERT_TRUE(apply_migrations(**db, sqlite_migrations(), kNow).ok());
  const int newest = sqlite_migrations().back().version;
  EXPECT_EQ(*applied_schema_version(**db), newest);
  EXPECT_EQ(count(**db, "SELECT count(*) FROM schema_migrations"), newest);

  // Idempotent: a second run applies nothing and records nothing.
  ASSERT_TRUE(apply_migrations(**db, sqlite_migrations(), kNow).ok());
  EXPECT_EQ(count(**db, "SELECT count(*) FROM schema_migrations"), newest);
}

TEST(Migrations, OnlyPendingOnesRunAndAFailedOneLeavesNoTrace) {
  TempDir dir;
  auto db = Db::open(dir.file("db.sqlite"), {});
  ASSERT_TRUE(db.ok());
  const Migration v1[] = {{1, "one", "CREATE TABLE a(x INTEGER);"}};
  ASSERT_TRUE(apply_migrations(**db, v1, kNow).ok());
  // Version 2 creates a table and then fails: neither it nor its bookkeeping row may remain.
  const Migration v2[] = {{1, "one", "CREATE TABLE a(x INTEGER);"},  // would fail if re-run
                          {2, "two", "CREATE TABLE b(y INTEGER); INSERT INTO nowhere VALUES (1);"}};
  Status s = apply_migrations(**db, v2, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("migration 2 (two)"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("no such table: nowhere"), std::string::npos) << s.error().message;
  EXPECT_EQ(*applied_schema_version(**db), 1);
  EXPECT_EQ(count(**db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
}

TEST(Migrations, RefusesADatabaseNewerThanTheBuild) {
  TempDir dir;
  auto db = Db::open(dir.file("db.sqlite"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(apply_migrations(**db, sqlite_migrations(), kNow).ok());
  ASSERT_TRUE((*db)->exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)", "test").ok());
  Status s = apply_migrations(**db, sqlite_migrations(), kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("999"), std::string::npos);
}

TEST(Migrations, StoreReportsSchemaVersionAcrossReopen) {
  TempDir dir;
  const int newest = sqlite_migrations().back().version;
  {
    auto store = SqliteStore::open(dir.file("db.sqlite"));
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->schema_version(), 0);
    ASSERT_TRUE((*store)->migrate().ok());
    EXPECT_EQ((*store)->schema_version(), newest);
    ASSERT_TRUE((*store)->migrate().ok());
    EXPECT_EQ((*store)->schema_version(), newest);
  }
  auto again = SqliteStore::open(dir.file("db.sqlite"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->schema_version(), newest);
}

}  // namespace
}  // namespace sb::store
