#pragma once
namespace sb::app {
inline constexpr const char* kVersion = "0.1.0";
}
