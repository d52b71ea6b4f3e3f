#pragma once
// Asynchronous request handling.
//
// A Handler receives the Request and a Reply. It may answer at once, or keep
// the Reply and call it later from ANY thread (e.g. after a durable commit on
// the store thread). Contract:
//  - Call the Reply exactly once. A second call is ignored (and logged).
//  - If every copy of the Reply is destroyed without a call, the client gets
//    500 {"error":{"code":"internal","message":"request was not answered"}}.
//  - If the connection is gone by the time of the call (client left, server
//    stopped or destroyed), the Response is dropped silently. A Reply may thus
//    safely outlive the Server.
//  - A handler that throws gets a 500 response (if it has not replied yet).
// Handlers run on an io thread: they must not block.
#include <functional>

#include "http/request.h"
#include "http/response.h"

namespace sb::http {

using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

}  // namespace sb::http
