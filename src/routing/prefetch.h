#pragma once
// Cache prefetch hints. A decision touches a handful of records that are
// almost never in cache (a 100,000-interaction centre does not fit in L2);
// asking for the lines we know we will read next lets those misses overlap
// instead of queueing one behind the other. Hints only: no effect on
// behaviour, and harmless on an address that is never read.
#include <cstddef>
#include <cstdint>

namespace sb::routing {

// Prefetches for reading every cache line of [p, p + bytes); nothing when p is null.
inline void prefetch_lines(const void* p, std::size_t bytes) {
  if (!p) return;
  const auto* c = static_cast<const char*>(p);
  const auto start = reinterpret_cast<std::uintptr_t>(c) & ~std::uintptr_t{63};
  for (std::uintptr_t line = start; line < reinterpret_cast<std::uintptr_t>(c) + bytes; line += 64)
    __builtin_prefetch(reinterpret_cast<const void*>(line));
}

}  // namespace sb::routing
