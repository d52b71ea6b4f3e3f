#include "routing/eta.h"

#include <algorithm>
#include <array>

namespace sb::routing {

namespace {
// voice, chat, email, sms, fax, callback, case
constexpr std::array<std::chrono::seconds, kChannelCount> kDefaultAht = {
    std::chrono::seconds(180), std::chrono::seconds(600),  std::chrono::seconds(900),
    std::chrono::seconds(600), std::chrono::seconds(300),  std::chrono::seconds(240),
    std::chrono::seconds(1800)};
}  // namespace

Duration default_handle_time(Channel c) { return kDefaultAht[static_cast<std::size_t>(c)]; }

Duration next_average(Duration average, Duration sample) {
  double v = (1.0 - kAhtWeight) * static_cast<double>(average.count()) +
             kAhtWeight * static_cast<double>(std::max(sample, Duration::zero()).count());
  return Duration(static_cast<Duration::rep>(v));
}

Duration estimated_wait(int position, Duration aht, int capacity) {
  if (position <= 0) return Duration::zero();
  return Duration(aht.count() * position / std::max(1, capacity));
}

}  // namespace sb::routing
