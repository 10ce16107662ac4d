// The packet-feeding rules follow ndpiReader (nDPI's own reader), so that a flow gets the same
// protocol name here as there: feed packets until nDPI names an application and needs no more
// (extra dissection, e.g. a TLS certificate), or until more than 80 TCP / 24 UDP packets were
// seen; then, if still unknown, give up with guessing on. Flows that end earlier give up at
// their end, again with guessing.
#include "dpi/ndpi_classifier.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <ndpi/ndpi_api.h>

#include <camwatch/dpi.h>

#include "util/per_thread_gauge.h"
#include "util/text.h"

namespace camwatch {
namespace {

// nDPI allocates on every worker (flow internals, per packet at times): each thread counts in a
// cell of its own (PerThreadGauge) instead of all of them in one shared atomic.
constinit PerThreadGauge g_ndpi_memory;

// nDPI's allocator hooks: a size header in front of each block lets free() count it too.
constexpr std::size_t kHeader = 16;  // keeps the 16-byte alignment malloc gives

void* countingMalloc(std::size_t size) {
  auto* block = static_cast<std::uint8_t*>(std::malloc(size + kHeader));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof(size));
  g_ndpi_memory.add(static_cast<std::int64_t>(size));
  return block + kHeader;
}

void countingFree(void* pointer) {
  if (pointer == nullptr) return;
  auto* block = static_cast<std::uint8_t*>(pointer) - kHeader;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof(size));
  g_ndpi_memory.add(-static_cast<std::int64_t>(size));
  std::free(block);
}

void installAllocatorHooksOnce() {
  static const bool installed = [] {
    set_ndpi_malloc(countingMalloc);
    set_ndpi_free(countingFree);
    set_ndpi_flow_malloc(countingMalloc);
    set_ndpi_flow_free(countingFree);
    return true;
  }();
  (void)installed;
}

// Copies nDPI's name (SNI, HTTP Host, DNS query: bytes off the wire) with the bytes that are not
// printable ASCII escaped (escapeNameByte), cut at the last whole character that fits.
template <std::size_t N>
void copyName(std::array<char, N>& out, const char* name) {
  std::size_t length = 0;
  for (const char* at = name != nullptr ? name : ""; *at != '\0'; ++at) {
    const std::size_t written =
        escapeNameByte(static_cast<unsigned char>(*at), out.data() + length, N - 1 - length);
    if (written == 0) break;
    length += written;
  }
  out[length] = '\0';
}

HostnameSource sourceFor(std::uint16_t master, std::uint16_t app) {
  for (std::uint16_t id : {master, app}) {
    switch (id) {
      case NDPI_PROTOCOL_TLS:
      case NDPI_PROTOCOL_QUIC:
      case NDPI_PROTOCOL_DTLS:
      case NDPI_PROTOCOL_MAIL_IMAPS:
      case NDPI_PROTOCOL_MAIL_POPS:
      case NDPI_PROTOCOL_MAIL_SMTPS:
        return HostnameSource::kSni;
      case NDPI_PROTOCOL_HTTP:
      case NDPI_PROTOCOL_HTTP_CONNECT:
      case NDPI_PROTOCOL_HTTP_PROXY:
        return HostnameSource::kHttpHost;
      case NDPI_PROTOCOL_DNS:
      case NDPI_PROTOCOL_MDNS:
      case NDPI_PROTOCOL_LLMNR:
        return HostnameSource::kDnsQuery;
      default:
        break;
    }
  }
  return HostnameSource::kOther;
}

}  // namespace

std::string_view hostnameSourceName(HostnameSource source) {
  switch (source) {
    case HostnameSource::kNone:
      return "";
    case HostnameSource::kSni:
      return "sni";
    case HostnameSource::kHttpHost:
      return "http_host";
    case HostnameSource::kDnsQuery:
      return "dns_query";
    case HostnameSource::kDnsCache:
      return "dns_cache";
    case HostnameSource::kOther:
      return "dpi";
  }
  return "";
}

std::string_view destinationNameSource(HostnameSource source, bool has_name,
                                       bool public_destination) {
  if (source == HostnameSource::kDnsQuery) return "";
  if (!has_name && public_destination) return "none";
  return hostnameSourceName(source);
}

std::vector<std::string> riskNames(std::uint64_t risk) {
  std::vector<std::string> names;
  // Bit 0 is NDPI_NO_RISK; bits from NDPI_MAX_RISK on are not risks nDPI 4.2 names (and
  // ndpi_risk2str would format them into a shared static buffer).
  for (unsigned bit = 1; bit < NDPI_MAX_RISK; ++bit) {
    if ((risk & (std::uint64_t{1} << bit)) != 0) {
      names.emplace_back(ndpi_risk2str(static_cast<ndpi_risk_enum>(bit)));
    }
  }
  return names;
}

std::uint64_t NdpiClassifier::memoryInUse() { return g_ndpi_memory.value(); }
std::uint64_t NdpiClassifier::peakMemory() { return g_ndpi_memory.peakBound(); }

NdpiClassifier::NdpiClassifier(const DpiConfig& config) : config_(config) {}

Result<std::unique_ptr<NdpiClassifier>> NdpiClassifier::create(const DpiConfig& config) {
  installAllocatorHooksOnce();
  std::unique_ptr<NdpiClassifier> classifier(new NdpiClassifier(config));
  classifier->module_ = ndpi_init_detection_module(ndpi_no_prefs);
  if (classifier->module_ == nullptr)
    return makeError("nDPI: cannot initialise a detection module");
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(classifier->module_, &all);
  if (!config.protocols_file.empty()) {
    // nDPI prints nothing useful when the file is missing: check first, so the error names it.
    if (std::FILE* file = std::fopen(config.protocols_file.c_str(), "r"); file != nullptr) {
      std::fclose(file);
    } else {
      return makeError(fmt::format("{}: cannot read the custom protocols file: {}",
                                   config.protocols_file, std::strerror(errno)));
    }
    if (ndpi_load_protocols_file(classifier->module_, config.protocols_file.c_str()) != 0) {
      return makeError(
          fmt::format("{}: nDPI could not load this custom protocols file", config.protocols_file));
    }
  }
  ndpi_finalize_initialization(classifier->module_);
  return classifier;
}

NdpiClassifier::~NdpiClassifier() {
  if (module_ != nullptr) ndpi_exit_detection_module(module_);
}

ClassifierState NdpiClassifier::acquireState() {
  constexpr std::size_t kBlock = 256;
  if (free_states_.empty()) {
    // Grow the pool by a block of states at a time: one allocation per 256 flows, none per packet.
    // Ids are handed out from the lowest, so the first flows reuse the same few states.
    const auto first = static_cast<std::uint32_t>(state_blocks_.size() * kBlock + 1);
    state_blocks_.push_back(std::make_unique<std::uint8_t[]>(kBlock * sizeof(ndpi_flow_struct)));
    for (std::uint32_t i = kBlock; i > 0; --i) free_states_.push_back(first + i - 1);
  }
  const ClassifierState state{free_states_.back()};
  free_states_.pop_back();
  std::memset(stateAt(state), 0, sizeof(ndpi_flow_struct));
  ++states_in_use_;
  return state;
}

ndpi_flow_struct* NdpiClassifier::stateAt(ClassifierState state) const {
  constexpr std::size_t kBlock = 256;
  const std::size_t index = state.id - 1;
  return reinterpret_cast<ndpi_flow_struct*>(state_blocks_[index / kBlock].get() +
                                             (index % kBlock) * sizeof(ndpi_flow_struct));
}

void NdpiClassifier::releaseState(ClassifierState& state) {
  if (state.empty()) return;
  ndpi_free_flow_data(stateAt(state));  // what nDPI allocated inside the state
  free_states_.push_back(state.id);
  state = ClassifierState{};
  --states_in_use_;
}

void NdpiClassifier::complete(FlowClassification& dpi, ClassifierState& handle, bool give_up) {
  ndpi_flow_struct* state = handle.empty() ? nullptr : stateAt(handle);
  ndpi_protocol protocol{};
  protocol.master_protocol = dpi.master_protocol;
  protocol.app_protocol = dpi.app_protocol;
  protocol.category = static_cast<ndpi_protocol_category_t>(dpi.category);
  if (give_up && dpi.app_protocol == NDPI_PROTOCOL_UNKNOWN && state != nullptr) {
    std::uint8_t guessed = 0;
    protocol = ndpi_detection_giveup(module_, state, 1, &guessed);
    dpi.guessed = guessed != 0;
  }
  dpi.master_protocol = protocol.master_protocol;
  dpi.app_protocol = protocol.app_protocol;
  dpi.category = static_cast<std::uint16_t>(protocol.category);
  if (state != nullptr) {
    dpi.risk = state->risk;
    if (state->host_server_name[0] != '\0') {
      copyName(dpi.hostname, state->host_server_name);
      dpi.hostname_source = sourceFor(protocol.master_protocol, protocol.app_protocol);
    }
  }
  dpi.final = true;
  releaseState(handle);
}

void NdpiClassifier::onPacket(FlowClassification& dpi, ClassifierState& handle,
                              std::uint64_t packets_seen, const DecodedPacket& packet,
                              std::span<const std::uint8_t> frame) {
  if (dpi.final) return;
  if (!config_.enabled) {
    complete(dpi, handle, false);
    return;
  }
  if (handle.empty()) handle = acquireState();
  if (packet.l3_offset >= frame.size()) return;
  ndpi_flow_struct* state = stateAt(handle);
  const std::size_t ip_size = std::min<std::size_t>(frame.size() - packet.l3_offset, 0xffff);
  const auto time_ms = static_cast<std::uint64_t>(packet.ts / 1'000'000);
  const ndpi_protocol protocol =
      ndpi_detection_process_packet(module_, state, frame.data() + packet.l3_offset,
                                    static_cast<unsigned short>(ip_size), time_ms);
  ++dpi.packets_inspected;
  dpi.master_protocol = protocol.master_protocol;
  dpi.app_protocol = protocol.app_protocol;
  dpi.category = static_cast<std::uint16_t>(protocol.category);

  // The flow's protocol: the key is made from the packet's, so every packet of it has the same.
  const std::uint8_t ip_proto = packet.ip_proto;
  const std::uint16_t limit =
      ip_proto == kIpProtoUdp ? config_.max_udp_packets : config_.max_tcp_packets;
  const bool enough_packets =
      (ip_proto == kIpProtoUdp || ip_proto == kIpProtoTcp) && packets_seen > limit;
  if (enough_packets || protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
    if (!enough_packets && ndpi_extra_dissection_possible(module_, state) != 0) return;
    complete(dpi, handle, true);
  }
}

std::string NdpiClassifier::protocolName(const FlowClassification& dpi) const {
  ndpi_protocol protocol{};
  protocol.master_protocol = dpi.master_protocol;
  protocol.app_protocol = dpi.app_protocol;
  protocol.category = static_cast<ndpi_protocol_category_t>(dpi.category);
  char name[64];
  return ndpi_protocol2name(module_, protocol, name, sizeof(name));
}

// nDPI keeps both in the module (protocol names are copied in when registered), so the views
// live as long as it does.
std::string_view NdpiClassifier::protocolIdName(std::uint16_t id) const {
  const char* name = ndpi_get_proto_name(module_, id);
  return name != nullptr ? name : "";
}

std::string_view NdpiClassifier::categoryName(const FlowClassification& dpi) const {
  const char* name =
      ndpi_category_get_name(module_, static_cast<ndpi_protocol_category_t>(dpi.category));
  return name != nullptr ? name : "";
}

void NdpiClassifier::finish(FlowClassification& dpi, ClassifierState& state) {
  if (dpi.final) return;
  // Never saw a packet it could inspect: name it as nDPI would name an empty flow.
  if (state.empty()) state = acquireState();
  complete(dpi, state, true);
}

}  // namespace camwatch
