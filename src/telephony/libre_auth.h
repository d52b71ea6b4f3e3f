#pragma once
// libre's SIP digest client replaced (libre_auth.cc): the switchboard
// executable defines sip_auth_alloc, sip_auth_authenticate, sip_auth_encode
// and sip_auth_reset, so 401/407 challenges are answered from an HA1. In
// Switchboard a sip_auth_h returns the HA1 (not a clear password) in its
// `password` argument. This header does not include <re.h>.
#include "core/result.h"

namespace sb::telephony {

// Whether the dynamic linker binds libre's calls of the four functions to ours.
bool libre_auth_in_use();

// The adapter's start-up check: an error unless libre_auth_in_use() (a
// handler's HA1 would be taken for a password and every answer would be wrong).
Status check_libre_auth();

}  // namespace sb::telephony
