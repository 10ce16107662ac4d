// fuzz_packets: a sequence of packets through what replay does with each one: decode, fragment
// matching, DNS answer learning, the flow table, nDPI, the DNS-cache naming and the policy of
// config/camwatch.example.yaml (no GeoIP). Every flow is ended at the end of the input.
//
// Input: byte 0 picks the link type; then records of
//   [length: 2 bytes, big-endian][time step: 1 byte][length bytes of frame]
// (the last record takes what is left when the input is shorter than its length). A time step
// below 128 advances packet time by that many 10 ms; 128 to 254 by (step - 127) * 10 s, so idle
// and active timeouts are reached within a few records; 255 moves it 2 s back, as packets out of
// order in a capture (or merged captures) do.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>

#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"

namespace {

using namespace camwatch;

// What every input shares: the config and judgement (read-only), and one nDPI module (creating
// one takes tens of milliseconds). The worker hands its classifier back after finish(), when no
// flow holds nDPI state any more; the flow table, fragment tracker and DNS cache are new for each
// input.
struct Shared {
  Config config;
  FlowJudgement judgement;
  std::shared_ptr<const OuiTable> oui;
  std::unique_ptr<Classifier> classifier;
};

Shared& shared() {
  static Shared* const state = [] {
    auto* made = new Shared;
    auto config = loadConfig(CAMWATCH_SOURCE_DIR "/config/camwatch.example.yaml");
    if (!config) {
      std::fprintf(stderr, "fuzz_packets: %s\n", config.error().message.c_str());
      std::abort();
    }
    made->config = std::move(*config);
    made->config.geoip = {};  // no GeoIP databases in a fuzz run
    auto judgement = loadJudgement(judgementConfig(made->config));
    if (!judgement) {
      std::fprintf(stderr, "fuzz_packets: %s\n", judgement.error().message.c_str());
      std::abort();
    }
    made->judgement = judgement->judgement;
    made->oui = judgement->oui;
    auto classifier = NdpiClassifier::create(made->config.dpi);
    if (!classifier) {
      std::fprintf(stderr, "fuzz_packets: %s\n", classifier.error().message.c_str());
      std::abort();
    }
    made->classifier = std::move(*classifier);
    return made;
  }();
  return *state;
}

constexpr LinkType kLinkTypes[] = {LinkType::kEthernet,  LinkType::kRawIp, LinkType::kLinuxSll,
                                   LinkType::kLinuxSll2, LinkType::kIpv4,  LinkType::kIpv6,
                                   LinkType::kNull};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Shared& state = shared();
  const LinkType link = kLinkTypes[data[0] % std::size(kLinkTypes)];

  FlowWorkerOptions options;
  options.flows = state.config.flows;
  options.flows.max_flows = 32;  // small, so that eviction happens too
  options.judgement = state.judgement;
  options.judgement.report_default_allows = true;
  options.keep_flows = false;
  options.summarize_egress = true;
  options.egress_samples = true;
  DnsCacheConfig dns_config = state.config.dns;
  dns_config.capacity = 64;
  DnsCache dns_cache(dns_config);
  PacketStage stage(&dns_cache, 64);  // few fragment slots, so that they are overwritten too
  StagedPacket staged;
  FlowWorker worker(options, std::move(state.classifier), dns_cache);

  Timestamp now = 1'700'000'000 * kNanosPerSecond;
  Timestamp next_tick = now + kNanosPerSecond;
  std::size_t at = 1;
  std::vector<std::uint8_t> frame;
  while (at + 3 <= size) {
    const std::size_t length = (std::size_t{data[at]} << 8U) | data[at + 1];
    const std::uint8_t step = data[at + 2];
    at += 3;
    const std::size_t take = std::min(length, size - at);
    // A buffer of exactly the frame's size, so that ASan sees any read past its end.
    frame.assign(data + at, data + at + take);
    frame.shrink_to_fit();
    at += take;
    if (step == 255) {
      now -= 2 * kNanosPerSecond;
    } else if (step < 128) {
      now += Timestamp{step} * 10'000'000;
    } else {
      now += Timestamp{step - 127} * 10 * kNanosPerSecond;
    }

    RawPacket raw;
    raw.ts = now;
    raw.link = link;
    raw.data = std::span<const std::uint8_t>(frame.data(), frame.size());
    // The wire length is at least the captured length; a longer one is a snaplen cut.
    raw.wire_len = static_cast<std::uint32_t>(take + (length > take ? length - take : 0));

    if (now >= next_tick) {
      worker.tick(now);
      next_tick = now + kNanosPerSecond;
    }
    if (!stage.stage(raw, staged)) continue;
    worker.onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, raw.data);
    worker.events().clear();
    worker.egressSummaries().clear();
  }
  worker.finish(now);
  worker.events().clear();
  if (worker.activeFlows() != 0) std::abort();  // finish() must end every flow
  state.classifier = worker.takeClassifier();
  if (state.classifier->statesInUse() != 0) std::abort();  // nDPI states all back in the pool
  return 0;
}
