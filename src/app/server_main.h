#pragma once
// `switchboard serve`: opens the store, starts the routing core, the HTTP API
// and the WebSocket stream, and runs until SIGINT/SIGTERM.
#include "config/config.h"

namespace sb::app {

int serve(const config::Config& cfg);

}  // namespace sb::app
