#pragma once
// Handle time and estimated wait.
//
//   EWT = position * AHT / max(1, N)
//
// position: 1-based place in the queue; AHT: the queue's moving average handle
// time (accept to completion, wrap-up included), an exponential moving average
// with weight kAhtWeight per completed interaction, starting from the channel's
// default below; N: concurrent capacity of the logged-in agents eligible for the
// interaction (sum of their capacity on its channel; one per agent for voice).
#include "core/channel.h"
#include "core/time.h"

namespace sb::routing {

inline constexpr double kAhtWeight = 0.1;

// Starting AHT per channel, before any interaction was completed.
Duration default_handle_time(Channel c);

// Moving average after one more completed interaction.
Duration next_average(Duration average, Duration sample);

Duration estimated_wait(int position, Duration aht, int capacity);

}  // namespace sb::routing
