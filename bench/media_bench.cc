// media_bench: the per-packet work of the media plane's threads, without the
// sockets: recording a call (two sides' 20 ms G.711 frames decoded and
// interleaved into the WAV file's buffer), transcoding a payload in place,
// and parsing an RTP header. The recordings are written to /dev/null.
//
//   build/src/telephony/media_bench [--benchmark_filter=Record]
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "telephony/g711.h"
#include "telephony/recorder.h"
#include "telephony/rtp.h"

namespace sb::telephony {
namespace {

std::string noise(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// One packet per iteration, the sides alternating as a bridged call's do.
void BM_RecordPacket(benchmark::State& st) {
  auto r = WavRecorder::open("/dev/null");
  if (!r) return st.SkipWithError("cannot open /dev/null");
  std::string caller = noise(160, 1), agent = noise(160, 2);
  bool side = false;
  for (auto _ : st) {
    if (side) (*r)->write(WavRecorder::Side::kAgent, Codec::kPcma, agent);
    else (*r)->write(WavRecorder::Side::kCaller, Codec::kPcmu, caller);
    side = !side;
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(st.iterations() * 160);
}
BENCHMARK(BM_RecordPacket);

// One side silent (held, or muted): every packet waits, then is padded.
void BM_RecordOneSided(benchmark::State& st) {
  auto r = WavRecorder::open("/dev/null");
  if (!r) return st.SkipWithError("cannot open /dev/null");
  std::string caller = noise(160, 1);
  for (auto _ : st) (*r)->write(WavRecorder::Side::kCaller, Codec::kPcmu, caller);
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_RecordOneSided);

void BM_TranscodeInPlace(benchmark::State& st) {
  std::string p = noise(160, 3);
  auto* b = reinterpret_cast<std::uint8_t*>(p.data());
  for (auto _ : st) {
    ulaw_to_alaw_inplace(b, p.size());
    benchmark::DoNotOptimize(b);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_TranscodeInPlace);

void BM_ParseRtp(benchmark::State& st) {
  std::uint8_t pkt[kRtpHeaderSize + 160] = {};
  RtpHeader h;
  h.pt = 0;
  h.seq = 7;
  h.ts = 160;
  h.ssrc = 0x1234;
  write_rtp_header(pkt, h);
  for (auto _ : st) {
    auto v = parse_rtp(pkt, sizeof pkt);
    benchmark::DoNotOptimize(v);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ParseRtp);

}  // namespace
}  // namespace sb::telephony

BENCHMARK_MAIN();
