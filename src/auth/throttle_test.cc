#include "auth/throttle.h"

#include <gtest/gtest.h>

namespace sb::auth {
namespace {

// Five wrong passwords for "ana" from one address, a second apart.
class ThrottleTest : public ::testing::Test {
 protected:
  void fail(std::string_view login = "ana", std::string_view addr = "10.0.0.1") {
    throttle.record_failure(login, addr, clock.now());
  }
  Duration wait(std::string_view login = "ana", std::string_view addr = "10.0.0.1") const {
    return throttle.retry_after(login, addr, clock.now());
  }

  ManualClock clock;
  LoginThrottle throttle;
};

TEST_F(ThrottleTest, FiveFailuresAreFreeThenDelaysDouble) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(wait(), Duration::zero()) << "attempt " << i + 1;
    fail();
    clock.advance(100ms);
  }
  // Sixth attempt: 1 s after the fifth failure.
  EXPECT_EQ(wait(), 900ms);
  clock.advance(900ms);
  EXPECT_EQ(wait(), Duration::zero());
  fail();
  EXPECT_EQ(wait(), 2s);
  clock.advance(2s);
  fail();
  EXPECT_EQ(wait(), 4s);
  clock.advance(4s);
  fail();
  EXPECT_EQ(wait(), 8s);
}

TEST_F(ThrottleTest, DelayIsCappedAtOneMinute) {
  for (int i = 0; i < 30; ++i) {
    clock.advance(60s);
    fail();
  }
  EXPECT_EQ(wait(), 60s);
}

TEST_F(ThrottleTest, SuccessClearsTheLogin) {
  for (int i = 0; i < 6; ++i) fail();
  EXPECT_GT(wait(), Duration::zero());
  throttle.record_success("ana");
  EXPECT_EQ(wait(), Duration::zero());
  EXPECT_EQ(throttle.tracked_logins(), 0u);
}

TEST_F(ThrottleTest, OtherLoginsAreUnaffected) {
  for (int i = 0; i < 6; ++i) fail("ana", "10.0.0.1");
  EXPECT_GT(wait("ana", "10.0.0.2"), Duration::zero());  // the login is throttled from anywhere
  EXPECT_EQ(wait("bob", "10.0.0.2"), Duration::zero());
  EXPECT_EQ(wait("bob", "10.0.0.1"), Duration::zero());  // address still below its own limit
}

TEST_F(ThrottleTest, AddressIsLimitedAcrossLogins) {
  // Password spraying: one guess per login, all from one address.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(wait("user" + std::to_string(i)), Duration::zero());
    fail("user" + std::to_string(i));
  }
  EXPECT_EQ(wait("someone-new"), 1s);
  EXPECT_EQ(wait("someone-new", "10.9.9.9"), Duration::zero());
  // A success on one account does not lift the address's throttle.
  throttle.record_success("user0");
  EXPECT_EQ(wait("user0"), 1s);
}

TEST_F(ThrottleTest, CountStartsAgainAfterTheWindow) {
  for (int i = 0; i < 7; ++i) fail();
  EXPECT_GT(wait(), Duration::zero());
  clock.advance(15min + 1s);
  EXPECT_EQ(wait(), Duration::zero());
  fail();
  EXPECT_EQ(wait(), Duration::zero());  // one failure in the new window
}

TEST(Throttle, MemoryIsBounded) {
  ThrottlePolicy policy;
  policy.max_entries = 100;
  LoginThrottle throttle(policy);
  ManualClock clock;
  for (int i = 0; i < 1000; ++i) {
    throttle.record_failure("user" + std::to_string(i), "addr" + std::to_string(i), clock.now());
  }
  EXPECT_EQ(throttle.tracked_logins(), 100u);
  EXPECT_EQ(throttle.tracked_addresses(), 100u);
  // Entries whose window has ended are dropped on the next failure.
  clock.advance(16min);
  throttle.record_failure("late", "addr-late", clock.now());
  EXPECT_EQ(throttle.tracked_logins(), 1u);
}

TEST(Throttle, HugeLoginNamesAreTruncated) {
  LoginThrottle throttle;
  ManualClock clock;
  std::string huge(1 << 20, 'x');
  for (int i = 0; i < 6; ++i) throttle.record_failure(huge + std::to_string(i), "a", clock.now());
  // All share their first 256 bytes, so they count as one key.
  EXPECT_EQ(throttle.tracked_logins(), 1u);
  EXPECT_EQ(throttle.retry_after(huge, "b", clock.now()), 2s);  // six failures
}

}  // namespace
}  // namespace sb::auth
