#include "auth/password.h"

#include <gtest/gtest.h>

#include <set>

namespace sb::auth {
namespace {

constexpr auto kFast = Argon2Params::test();

TEST(Password, HashThenVerifyRoundTrips) {
  std::string h = hash_password("correct horse battery staple", kFast);
  EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$")) << h;
  EXPECT_TRUE(verify_password(h, "correct horse battery staple"));
}

TEST(Password, DefaultParametersAreOwaspArgon2id) {
  std::string h = hash_password("słoneczko-42");
  EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << h;
  EXPECT_TRUE(verify_password(h, "słoneczko-42"));
  EXPECT_FALSE(needs_rehash(h));
  EXPECT_TRUE(needs_rehash(h, kFast));
}

TEST(Password, WrongPasswordIsRejected) {
  std::string h = hash_password("correct horse", kFast);
  EXPECT_FALSE(verify_password(h, "correct hors"));
  EXPECT_FALSE(verify_password(h, "Correct horse"));
  EXPECT_FALSE(verify_password(h, ""));
}

TEST(Password, MalformedHashIsFalseNotACrash) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=1024,t=1,p=1$", "x"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=1024,t=1,p=1$!!!$!!!", "x"));
  EXPECT_FALSE(verify_password("$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA", "x"));
  // Absurd memory cost from a tampered row: refused without allocating.
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g", "x"));
  std::string h = hash_password("password-1", kFast);
  EXPECT_FALSE(verify_password(h.substr(0, h.size() - 2), "password-1"));  // truncated
  EXPECT_TRUE(needs_rehash("garbage"));
}

TEST(Password, EverySaltIsFresh) {
  std::set<std::string> hashes;
  for (int i = 0; i < 8; ++i) hashes.insert(hash_password("same password", kFast));
  EXPECT_EQ(hashes.size(), 8u);
}

TEST(Password, EmbeddedNulIsPartOfThePassword) {
  std::string pw("abc\0defgh", 9);
  std::string h = hash_password(pw, kFast);
  EXPECT_TRUE(verify_password(h, pw));
  EXPECT_FALSE(verify_password(h, "abc"));
}

TEST(PasswordPolicy, CountsCodePointsNotBytes) {
  // "żółwiątko": 10 code points, 14 bytes.
  EXPECT_TRUE(check_password_policy("żółwiątko").ok());
  // "żółwią": 6 code points but 10 bytes: too short.
  Status s = check_password_policy("żółwią");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "password");
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  // 8 CJK characters (24 bytes) are enough.
  EXPECT_TRUE(check_password_policy("東京都港区六本木").ok());
}

TEST(PasswordPolicy, RejectsShortRepeatedAndInvalid) {
  EXPECT_FALSE(check_password_policy("").ok());
  EXPECT_FALSE(check_password_policy("abc1234").ok());
  EXPECT_TRUE(check_password_policy("abc12345").ok());
  EXPECT_FALSE(check_password_policy("aaaaaaaaaaaa").ok());
  EXPECT_FALSE(check_password_policy("żżżżżżżżżż").ok());
  EXPECT_FALSE(check_password_policy("abcdefg\xff").ok());            // invalid byte
  EXPECT_FALSE(check_password_policy("abcdefgh\xc5").ok());           // truncated sequence
  EXPECT_FALSE(check_password_policy("abcdefgh\xc0\xaf").ok());       // overlong '/'
  EXPECT_FALSE(check_password_policy("abcdefgh\xed\xa0\x80").ok());   // UTF-16 surrogate
  EXPECT_FALSE(check_password_policy(std::string(kMaxPasswordBytes + 1, 'x') + "y").ok());
}

}  // namespace
}  // namespace sb::auth
