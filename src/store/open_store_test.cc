// open_store(): URL forms and their errors.
#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/store.h"
#include "store/temp_dir_for_test.h"

namespace sb::store {
namespace {

TEST(OpenStore, SqliteUrlFormsOpenAndMigrate) {
  TempDir dir;
  for (const std::string& url : {"sqlite:" + dir.file("a.db"), "sqlite://" + dir.file("b.db"), dir.file("c.db")}) {
    auto store = open_store(url);
    ASSERT_TRUE(store.ok()) << url << ": " << store.error().message;
    EXPECT_EQ((*store)->schema_version(), sqlite_migrations().back().version) << url;
  }
}

TEST(OpenStore, ReopeningKeepsData) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.file("x.db");
  {
    auto store = open_store(url);
    ASSERT_TRUE(store.ok());
    WriteBatch b;
    b.ops.push_back(SkillRecord{SkillId(1), "русский", ""});
    ASSERT_TRUE((*store)->commit(std::move(b)).ok());
  }
  auto store = open_store(url);
  ASSERT_TRUE(store.ok());
  ASSERT_EQ((*store)->skills().size(), 1u);
  EXPECT_EQ((*store)->skills()[0].name, "русский");
}

TEST(OpenStore, PostgresIsNotBuiltYet) {
  for (const char* url : {"postgresql://sb@localhost/sb", "postgres://localhost/sb"}) {
    auto store = open_store(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(store.error().message, "PostgreSQL backend not built yet");
  }
}

TEST(OpenStore, UnknownSchemesAndEmptyUrlsAreInvalid) {
  for (const char* url : {"mysql://localhost/sb", "redis:foo", "", "sqlite:", "sqlite://", ":memory:"}) {
    auto store = open_store(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << url;
    if (*url != 0) {
      EXPECT_NE(store.error().message.find(url), std::string::npos) << store.error().message;
    }
  }
}

TEST(OpenStore, UnopenablePathNamesThePath) {
  auto store = open_store("sqlite:/no/such/dir/sb.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("/no/such/dir/sb.db"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace sb::store
