// Call recordings (telephony writes one WAV per bridged segment, see
// docs/telephony.md "Recording"): the list of an interaction's recordings and
// the audio itself, for quality evaluation. Permission recordings.listen
// (supervisors, admins). Which files belong to an interaction is read from its
// history (`recording.started` / `recording.stopped`), never from a path the
// client gives, and a file must lie in the recordings directory. Every
// playback or download writes an audit entry (`recording.played`) before a
// byte is sent.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "api/context.h"
#include "service/record_json.h"
#include "telephony/recorder.h"

namespace sb::api {

using nlohmann::json;
using auth::Permission;

namespace {

// The interaction's recordings in the order they started, from its history:
// {n, file, path, started_at, ended_at?, seconds?, deleted?}. `seconds` and
// `ended_at` come from `recording.stopped`; `deleted` {at, reason} from
// `recording.deleted` (retention).
json recordings_of(const Context& ctx, InteractionId id) {
  store::EventQuery q;
  q.interaction = id;
  q.limit = 100000;
  json list = json::array();
  for (const auto& e : ctx.store.events(q)) {
    bool started = e.type == "recording.started", stopped = e.type == "recording.stopped";
    if (!started && !stopped && e.type != "recording.deleted") continue;
    json d = json::parse(e.data_json, nullptr, false);
    if (!d.is_object()) continue;
    json at = service::to_json(e)["at"];
    if (!started && !stopped) {  // deleted: named by file
      if (!d.contains("file") || !d["file"].is_string()) continue;
      json reason = d.contains("reason") && d["reason"].is_string() ? d["reason"] : json("");
      for (auto& r : list)
        if (r["file"] == d["file"]) r["deleted"] = {{"at", at}, {"reason", reason}};
      continue;
    }
    if (!d.contains("path") || !d["path"].is_string()) continue;
    std::string path = d["path"].get<std::string>();
    if (started) {
      list.push_back({{"n", list.size() + 1},
                      {"file", std::filesystem::path(path).filename().string()},
                      {"path", path},
                      {"started_at", at}});
    } else {
      for (auto& r : list) {
        if (r["path"] != path) continue;
        r["ended_at"] = at;
        if (d.contains("seconds")) r["seconds"] = d["seconds"];
      }
    }
  }
  return list;
}

// The recording's file if it is one of ours: inside the recordings directory, a regular file.
Result<std::filesystem::path> checked_file(const Context& ctx, const std::string& path) {
  std::error_code ec;
  auto dir = std::filesystem::weakly_canonical(ctx.recordings_dir, ec);
  auto file = std::filesystem::weakly_canonical(path, ec);
  auto rel = file.lexically_relative(dir);
  if (ctx.recordings_dir.empty() || ec || rel.empty() || *rel.begin() == "..")
    return Error{ErrorCode::kNotFound, "the recording is not in the recordings directory", "n"};
  if (!std::filesystem::is_regular_file(file, ec))
    return Error::not_found(fmt::format("the recording file {} is gone", file.filename().string()));
  return file;
}

void list(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  c.ctx->replies.post([c, iid = InteractionId(*id)] {
    auto it = c.ctx->store.interaction(iid);
    if (!it) return c.fail(Error::not_found(fmt::format("interaction {} not found", iid.value)));
    json out = json::array();
    for (auto r : recordings_of(*c.ctx, iid)) {
      // Only our own files are looked at (a moved data dir or a doctored event must not open anything else).
      auto file = checked_file(*c.ctx, r["path"].get<std::string>());
      std::string path = file ? file->string() : std::string();
      std::error_code ec = file ? std::error_code() : std::make_error_code(std::errc::no_such_file_or_directory);
      auto size = file ? std::filesystem::file_size(path, ec) : 0;
      r["available"] = !ec;
      if (!ec) r["bytes"] = size;
      // Not stopped and the call goes on: still being written (its header says 0 bytes until it stops).
      bool in_progress = !r.contains("ended_at") && it->state != "ended";
      r["in_progress"] = in_progress;
      // No recording.stopped after a crash: the length is in the header the restart repaired.
      if (!r.contains("seconds") && !in_progress && !ec)
        if (auto secs = telephony::wav_seconds(path)) r["seconds"] = *secs;
      r["url"] = fmt::format("/api/interactions/{}/recordings/{}", iid.value, r["n"].get<int>());
      r.erase("path");
      out.push_back(std::move(r));
    }
    c.ok(out);
  });
}

void play(Call& c) {
  auto id = c.id_param();
  if (!id) return;
  auto n = c.id_param("n");
  if (!n) return;
  c.ctx->replies.post([c, iid = InteractionId(*id), n = *n] {
    if (!c.ctx->store.interaction(iid)) return c.fail(Error::not_found(fmt::format("interaction {} not found", iid.value)));
    json list = recordings_of(*c.ctx, iid);
    if (n < 1 || n > static_cast<std::int64_t>(list.size()))
      return c.fail(Error{ErrorCode::kNotFound, fmt::format("interaction {} has no recording {}", iid.value, n), "n"});
    auto file = checked_file(*c.ctx, list[n - 1]["path"].get<std::string>());
    if (!file) return c.fail(file.error());
    std::string name = file->filename().string();
    // Audited first: nothing is sent unless the entry is durable.
    c.ctx->core.execute(
        c.actor(),
        [iid, name](service::Txn& t) -> service::Core::Value {
          t.audit("recording.played", fmt::format("interaction:{}", iid.value), {{"file", name}});
          return json::object();
        },
        [c, path = *file, name](service::Core::Value v) {
          if (!v) return c.fail(v.error());
          c.ctx->replies.post([c, path, name] {
            std::ifstream f(path, std::ios::binary);
            if (!f) return c.fail(Error::not_found(fmt::format("the recording file {} is gone", name)));
            std::string body{std::istreambuf_iterator<char>(f), {}};
            c.reply(http::Response::text(200, std::move(body), "audio/wav")
                        .with_header("Content-Disposition", fmt::format("inline; filename=\"{}\"", name))
                        .with_header("Cache-Control", "no-store"));
          });
        });
  });
}

}  // namespace

std::vector<ApiRoute> recording_routes() {
  using P = Permission;
  return {
      {"GET", "/api/interactions/{id}/recordings", P::kRecordingsListen, true, "listRecordings",
       "The call's recordings (one per bridged segment), from its history", "recordings", list},
      {"GET", "/api/interactions/{id}/recordings/{n}", P::kRecordingsListen, true, "getRecording",
       "One recording as audio/wav (stereo: caller left, agent right); audited", "recordings", play},
  };
}

}  // namespace sb::api
