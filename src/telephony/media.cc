// Music on hold and prompts: one 20 ms timer sends the next frame of its
// player (prompts, then music) to every caller who is not bridged.
#include "telephony/impl.h"

namespace sb::telephony {

// ---------------------------------------------------------------- music on hold
void Telephony::Impl::start_moh() {
  if (tmr_isrunning(&moh_tmr)) return;
  moh_start_ms = tmr_jiffies();
  moh_ticks = 0;
  tmr_start(&moh_tmr, 20, &Impl::on_moh, this);
}

void Telephony::Impl::moh_tick() {
  std::uint64_t due = (tmr_jiffies() - moh_start_ms) / 20;
  // A late tick catches up one frame at most, then skips: under overload a
  // burst per caller would multiply the very work that made it late.
  int burst = 0;
  constexpr int kMaxFramesPerTick = 2;
  bool any = false;
  std::vector<Call*> drained;
  while (moh_ticks < due && burst++ < kMaxFramesPerTick) {
    ++moh_ticks;
    for (auto& [id, c] : calls) {
      if (c->state == Call::State::kBridged && !c->held) continue;
      any = true;
      Leg& leg = *c->caller;
      if (leg.closed || !leg.sess) continue;
      std::string_view f = c->player.next_frame(leg.codec);
      if (c->player.take_drained()) drained.push_back(c.get());
      if (leg.rtp->send(static_cast<std::uint8_t>(leg.codec), c->moh.frame == 0, c->moh.timestamp,
                        reinterpret_cast<const std::uint8_t*>(f.data()), f.size()))
        rtp_counter("moh").inc();
      c->moh.advance();
    }
  }
  for (Call* c : drained) on_drained(*c);
  if (moh_ticks < due) moh_ticks = due;  // fell behind: skip rather than burst
  if (!any && calls.empty()) return;     // nobody waiting: the timer stops
  std::uint64_t next = moh_start_ms + (moh_ticks + 1) * 20;
  std::uint64_t now = tmr_jiffies();
  tmr_start(&moh_tmr, next > now ? next - now : 1, &Impl::on_moh, this);
}

}  // namespace sb::telephony
