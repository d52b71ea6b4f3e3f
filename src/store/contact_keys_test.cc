#include "store/contact_keys.h"

#include <gtest/gtest.h>

namespace sb::store {
namespace {

TEST(ContactKeys, PhoneKeyKeepsDigitsAndLeadingPlus) {
  EXPECT_EQ(phone_key("+48 (600) 100-200"), "+48600100200");
  EXPECT_EQ(phone_key(" 600.100.200 "), "600100200");
  EXPECT_EQ(phone_key("+"), "");
  EXPECT_EQ(phone_key("ext"), "");
}

TEST(ContactKeys, EmailKeyIsTrimmedAndFolded) {
  EXPECT_EQ(email_key(" Anna.Kowalska@Example.PL "), "anna.kowalska@example.pl");
  EXPECT_EQ(email_key("ŁUKASZ@PRZYKŁAD.PL"), "łukasz@przykład.pl");
}

TEST(ContactKeys, SearchKeyHoldsFoldedNamePhonesAndEmails) {
  CustomerRecord c;
  c.name = "Łukasz Wiśniewski";
  c.phones = {"+48 600-100-200"};
  c.emails = {"Lukasz@Example.PL"};
  const std::string key = customer_search_key(c);
  EXPECT_NE(key.find("łukasz wiśniewski"), std::string::npos);
  EXPECT_NE(key.find("+48600100200"), std::string::npos);
  EXPECT_NE(key.find("lukasz@example.pl"), std::string::npos);
}

TEST(ContactKeys, PhoneLikeSearchAlsoYieldsDigits) {
  auto n = search_needles("600 100");
  EXPECT_EQ(n.folded, "600 100");
  ASSERT_TRUE(n.digits.has_value());
  EXPECT_EQ(*n.digits, "600100");
  EXPECT_FALSE(search_needles("Anna 600").digits.has_value());
  EXPECT_FALSE(search_needles("600").digits.has_value());  // same as the folded text
}

}  // namespace
}  // namespace sb::store
