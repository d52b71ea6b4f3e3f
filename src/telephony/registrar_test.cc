#include "telephony/registrar.h"

#include <gtest/gtest.h>

namespace sb::telephony {
namespace {

TEST(Registrar, BindsRefreshesAndExpires) {
  Registrar r;
  r.update("anna", "sip:anna@10.0.0.1:5062", 60, 1000);
  EXPECT_EQ(r.contact("anna", 1059), "sip:anna@10.0.0.1:5062");
  EXPECT_FALSE(r.contact("anna", 1060));  // expired
  r.update("anna", "sip:anna@10.0.0.1:5062", 60, 1050);  // refreshed
  EXPECT_TRUE(r.contact("anna", 1100));
  EXPECT_EQ(r.prune(1200), 1u);
  EXPECT_EQ(r.size(), 0u);
}

TEST(Registrar, NewestContactRings) {
  Registrar r;
  r.update("anna", "sip:desk@1.1.1.1", 3600, 10);
  r.update("anna", "sip:mobile@2.2.2.2", 3600, 20);
  EXPECT_EQ(r.contact("anna", 30), "sip:mobile@2.2.2.2");
  EXPECT_EQ(r.bindings("anna", 30).size(), 2u);
  r.update("anna", "sip:mobile@2.2.2.2", 0, 40);  // unregister one
  EXPECT_EQ(r.contact("anna", 40), "sip:desk@1.1.1.1");
  r.remove_all("anna");  // Contact: * with Expires: 0
  EXPECT_FALSE(r.contact("anna", 40));
  EXPECT_FALSE(r.contact("nobody", 40));
}

TEST(Registrar, ClampsExpiry) {
  EXPECT_EQ(clamp_expires(0, 30, 3600), 0);
  EXPECT_EQ(clamp_expires(5, 30, 3600), 30);
  EXPECT_EQ(clamp_expires(99999, 30, 3600), 3600);
  EXPECT_EQ(clamp_expires(-1, 30, 3600), 0);
}

}  // namespace
}  // namespace sb::telephony
