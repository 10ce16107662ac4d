// dpi/: nDPI, one module per worker, with camwatch's camera-cloud protocols, per-thread memory
// accounting and the protocol names.
//
// Application classification with nDPI, one NdpiClassifier per worker. Inputs: the packets
// of a flow, from the L3 header, until nDPI is done (or a packet limit is reached, then it gives
// up and guesses, as ndpiReader does). Outputs: FlowClassification in the flow record.
// Thread: the owning worker only; nDPI modules are created one after another at start-up.
//
// The nDPI flow state (~700 bytes) lives only while a flow is being classified; it comes from a
// per-worker pool and goes back as soon as classification is final.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/decode.h>
#include <camwatch/result.h>

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;

namespace camwatch {

struct FlowRecord;
class DnsCache;

/// How a flow's hostname was learnt.
enum class HostnameSource : std::uint8_t { kNone, kSni, kHttpHost, kDnsQuery, kDnsCache, kOther };
std::string_view hostnameSourceName(HostnameSource source);

/// What classification found out about one flow. Plain, small data (it lives in every flow-table
/// entry): protocol names are looked up from the ids when the record is written out, with
/// NdpiClassifier's naming functions.
struct FlowClassification {
  bool final = false;    ///< no more packets go to nDPI
  bool guessed = false;  ///< nDPI gave up and guessed (by port or address)
  std::uint16_t master_protocol = 0;
  std::uint16_t app_protocol = 0;
  std::uint16_t category = 0;
  std::uint16_t packets_inspected = 0;
  std::uint64_t risk = 0;  ///< nDPI risk bitmap (bit n = ndpi_risk_enum n)
  HostnameSource hostname_source = HostnameSource::kNone;
  std::array<char, 80> hostname{};  ///< NUL-terminated (nDPI keeps 80 bytes too)
};

/// Names of the risks set in an nDPI risk bitmap ("Known Protocol on Non Standard Port", ...).
std::vector<std::string> riskNames(std::uint64_t risk);

struct DpiConfig {
  bool enabled = true;
  std::string protocols_file;          ///< custom protocols (nDPI format); empty = none
  std::uint16_t max_tcp_packets = 80;  ///< give up after this many packets (ndpiReader: 80)
  std::uint16_t max_udp_packets = 24;  ///< (ndpiReader: 24)
};

class NdpiClassifier {
 public:
  /// Creates one nDPI module with all protocols and the custom protocols file. Fails naming the
  /// file when it cannot be read. Not thread-safe: create classifiers one after another.
  static Result<std::unique_ptr<NdpiClassifier>> create(const DpiConfig& config);
  ~NdpiClassifier();
  NdpiClassifier(const NdpiClassifier&) = delete;
  NdpiClassifier& operator=(const NdpiClassifier&) = delete;

  /// Feeds one packet of `flow` to nDPI while its classification is not final. `frame` is the
  /// captured packet from its first byte; nDPI gets it from `packet.l3_offset`.
  void onPacket(FlowRecord& flow, const DecodedPacket& packet, std::span<const std::uint8_t> frame);

  /// Makes the classification final (giving up and guessing when nDPI has not decided) and
  /// returns the flow's nDPI state to the pool. Call when the flow ends; harmless when final.
  void finish(FlowRecord& flow);

  /// The protocol name exactly as ndpiReader prints it: "TLS.Google", "DNS.HikConnect", "Unknown".
  /// Any classifier created from the same DpiConfig gives the same names (custom protocols get
  /// their ids in file order). Thread: any, once no worker uses this classifier any more.
  std::string protocolName(const FlowClassification& dpi) const;
  /// nDPI's own names (of one protocol id, of the category): no copy, valid as long as this
  /// classifier.
  std::string_view protocolIdName(std::uint16_t id) const;
  std::string_view categoryName(const FlowClassification& dpi) const;

  /// nDPI flow states taken from the pool right now (flows being classified).
  std::size_t statesInUse() const { return states_in_use_; }

  /// Bytes nDPI has allocated, all modules together (modules, automata, flow internals). Any
  /// thread.
  static std::uint64_t memoryInUse();
  /// An upper bound of the most nDPI ever had allocated at once, since the process started: the
  /// sum of each thread's own peak (threads count separately, so that nDPI's allocations on the
  /// workers share no cache line). With one thread allocating it is exact; with several it can
  /// exceed the true peak by what one thread had freed again when another peaked.
  static std::uint64_t peakMemory();

 private:
  explicit NdpiClassifier(const DpiConfig& config);
  ndpi_flow_struct* acquireState();
  void releaseState(FlowRecord& flow);
  void complete(FlowRecord& flow, bool give_up);

  DpiConfig config_;
  ndpi_detection_module_struct* module_ = nullptr;
  std::vector<ndpi_flow_struct*> free_states_;
  std::vector<std::unique_ptr<std::uint8_t[]>> state_blocks_;
  std::size_t states_in_use_ = 0;
};

}  // namespace camwatch
