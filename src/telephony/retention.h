#pragma once
// Recording retention: call recordings older than the retention period are
// found here and deleted by the app's sweeper (banks keep them for a fixed
// time, then must not keep them).
//
// A recording is a file `<interaction>.wav` or `<interaction>-<n>.wav` directly
// in the recordings directory (recording.cc names them so); its age is its
// last write, i.e. the end of the call segment. Anything else in the directory
// (other names, sub-directories) is never touched. Plain C++, unit-tested.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace sb::telephony {

struct ExpiredRecording {
  std::int64_t interaction = 0;
  std::string file;             // the file name, without directory
  std::filesystem::path path;   // where it is
};

// The interaction a recording's file name belongs to; 0 when the name is not a recording's.
std::int64_t recording_interaction(const std::string& file_name);

// The recordings in `dir` last written before `now - max_age`. The caller
// notes each (history, audit) and only then deletes it, so that a crash in
// between leaves a file to find again, never a deletion nobody recorded.
// A missing directory is no recordings; an unreadable one is an error.
Result<std::vector<ExpiredRecording>> expired_recordings(const std::filesystem::path& dir,
                                                         std::filesystem::file_time_type now,
                                                         std::chrono::seconds max_age);

}  // namespace sb::telephony
