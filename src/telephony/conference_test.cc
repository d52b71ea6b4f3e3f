#include "telephony/conference.h"

#include <vector>

#include <gtest/gtest.h>

namespace sb::telephony {
namespace {

using P = Conference::Party;

std::vector<std::int16_t> constant(std::int16_t v, std::size_t n = Conference::kFrame) {
  return std::vector<std::int16_t>(n, v);
}

TEST(Conference, ModeNames) {
  for (auto m : {MonitorMode::kListen, MonitorMode::kWhisper, MonitorMode::kBarge})
    EXPECT_EQ(parse_monitor_mode(monitor_mode_name(m)), m);
  EXPECT_FALSE(parse_monitor_mode("spy"));
  EXPECT_FALSE(parse_monitor_mode(""));
}

TEST(Conference, WhoHearsWhom) {
  for (auto m : {MonitorMode::kListen, MonitorMode::kWhisper, MonitorMode::kBarge}) {
    for (int p = 0; p < Conference::kParties; ++p)
      EXPECT_FALSE(Conference::hears(m, P(p), P(p))) << "nobody hears themselves";
    EXPECT_TRUE(Conference::hears(m, P::kCaller, P::kAgent));
    EXPECT_TRUE(Conference::hears(m, P::kAgent, P::kCaller));
    EXPECT_TRUE(Conference::hears(m, P::kSupervisor, P::kCaller));
    EXPECT_TRUE(Conference::hears(m, P::kSupervisor, P::kAgent));
  }
  EXPECT_FALSE(Conference::hears(MonitorMode::kListen, P::kCaller, P::kSupervisor));
  EXPECT_FALSE(Conference::hears(MonitorMode::kListen, P::kAgent, P::kSupervisor));
  EXPECT_FALSE(Conference::hears(MonitorMode::kWhisper, P::kCaller, P::kSupervisor));
  EXPECT_TRUE(Conference::hears(MonitorMode::kWhisper, P::kAgent, P::kSupervisor));
  EXPECT_TRUE(Conference::hears(MonitorMode::kBarge, P::kCaller, P::kSupervisor));
  EXPECT_TRUE(Conference::hears(MonitorMode::kBarge, P::kAgent, P::kSupervisor));
}

TEST(Conference, Saturates) {
  Conference c({.prefill = 1, .max_frames = 5});
  c.push(P::kCaller, constant(30000));
  c.push(P::kAgent, constant(30000));
  c.tick();
  auto sup = c.mix_for(MonitorMode::kListen, P::kSupervisor);
  EXPECT_EQ(sup[0], 32767);
  c.push(P::kCaller, constant(-30000));
  c.push(P::kAgent, constant(-30000));
  c.tick();
  EXPECT_EQ(c.mix_for(MonitorMode::kListen, P::kSupervisor)[159], -32768);
}

TEST(Conference, MixesPerListenerAndMode) {
  Conference c({.prefill = 1, .max_frames = 5});
  auto feed = [&] {
    c.push(P::kCaller, constant(1000));
    c.push(P::kAgent, constant(2000));
    c.push(P::kSupervisor, constant(4000));
    c.tick();
  };
  feed();
  EXPECT_EQ(c.mix_for(MonitorMode::kListen, P::kSupervisor)[0], 3000);
  EXPECT_EQ(c.mix_for(MonitorMode::kListen, P::kCaller)[0], 2000);
  EXPECT_EQ(c.mix_for(MonitorMode::kListen, P::kAgent)[0], 1000);
  EXPECT_EQ(c.mix_for(MonitorMode::kWhisper, P::kAgent)[0], 5000);
  EXPECT_EQ(c.mix_for(MonitorMode::kWhisper, P::kCaller)[0], 2000);
  EXPECT_EQ(c.mix_for(MonitorMode::kBarge, P::kCaller)[0], 6000);
  EXPECT_EQ(c.mix_for(MonitorMode::kBarge, P::kAgent)[0], 5000);
  EXPECT_EQ(c.mix_for(MonitorMode::kBarge, P::kSupervisor)[0], 3000);
}

TEST(Conference, JitterBufferPrefillsUnderrunsAndCaps) {
  Conference c({.prefill = 2, .max_frames = 4});
  c.push(P::kCaller, constant(7));
  c.tick();
  EXPECT_FALSE(c.playing(P::kCaller)) << "waits for two frames";
  EXPECT_EQ(c.frame(P::kCaller)[0], 0);
  c.push(P::kCaller, constant(8));
  c.tick();
  EXPECT_TRUE(c.playing(P::kCaller));
  EXPECT_EQ(c.frame(P::kCaller)[0], 7) << "first in, first out";
  c.tick();
  EXPECT_EQ(c.frame(P::kCaller)[0], 8);
  c.tick();
  EXPECT_FALSE(c.playing(P::kCaller)) << "ran dry: silence";
  c.push(P::kCaller, constant(9));
  c.tick();
  EXPECT_FALSE(c.playing(P::kCaller)) << "after an underrun it buffers two frames again";
  // Packets arriving faster than the ticks: only the newest max_frames are kept.
  for (int i = 0; i < 10; ++i) c.push(P::kAgent, constant(static_cast<std::int16_t>(100 + i)));
  EXPECT_EQ(c.buffered(P::kAgent), 4 * Conference::kFrame);
  c.tick();
  EXPECT_EQ(c.frame(P::kAgent)[0], 106);
  // Odd packet sizes are re-cut into 20 ms frames.
  Conference d({.prefill = 1, .max_frames = 5});
  d.push(P::kSupervisor, constant(1, 100));
  d.push(P::kSupervisor, constant(2, 100));
  d.tick();
  EXPECT_EQ(d.frame(P::kSupervisor)[99], 1);
  EXPECT_EQ(d.frame(P::kSupervisor)[100], 2);
  EXPECT_EQ(d.buffered(P::kSupervisor), 40u);
  d.clear(P::kSupervisor);
  EXPECT_EQ(d.buffered(P::kSupervisor), 0u);
}

}  // namespace
}  // namespace sb::telephony
