// alert/: the alert model and its JSON, and the alert side both commands start: the engine
// (learned baseline, egress budgets, lifecycle, dedup), the spool and the delivery thread.
//
// Alert: what camwatch tells people when a camera talks to a host it should not, and AlertSink,
// the interface of every place alerts go (file, syslog, stdout, webhook, Alertmanager).
//
// Inputs: the policy engine fills an Alert (plain value, packet-time timestamps). Outputs: the
// dedup key that names "the same alert" across repeats; the alert JSON (docs/alerts.md), which is
// also the on-disk spool format, is in camwatch/alert_json.h. Threads: the value type and the free
// functions are usable from any thread; each AlertSink is driven by the single delivery thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/alert_kind.h>
#include <camwatch/beacon.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch {

/// Whether the condition still holds. A resolved alert carries `ends_at`.
enum class AlertStatus : std::uint8_t { kFiring, kResolved };

/// "firing" / "resolved".
std::string_view alertStatusName(AlertStatus status);
std::optional<AlertStatus> alertStatusFromName(std::string_view name);

/// The camera that talked.
struct AlertCamera {
  IpAddress ip;
  std::string mac;     ///< "aa:bb:cc:dd:ee:ff" lowercase; empty when unknown (routed capture)
  std::string name;    ///< from the inventory; empty when not listed
  std::string vendor;  ///< inventory or OUI vendor; empty when unknown
  std::string group;   ///< inventory group; empty when none
  bool operator==(const AlertCamera&) const = default;
};

/// The host it talked to. Kinds without a remote host (egress_volume, unknown_camera) leave
/// `ip` empty; dns_lookup_blocked may carry only `hostname`.
struct AlertDestination {
  std::optional<IpAddress> ip;
  std::uint16_t port = 0;       ///< 0 when not applicable
  std::string hostname;         ///< empty when unknown
  std::string hostname_source;  ///< "dns", "sni", "http_host", ... ; empty with no hostname
  /// A DNS flow's question ("p2p.easy4ipcloud.com"): the destination is then the resolver, and
  /// `hostname` its own name (empty when unknown). Empty for other flows.
  std::string dns_query;
  std::string country;    ///< ISO 3166-1 alpha-2; empty when unknown
  std::uint32_t asn = 0;  ///< 0 when unknown
  std::string org;        ///< AS organisation; empty when unknown
  /// Who operates the network (the operators file): "Alibaba"; empty when not listed.
  std::string network_operator;
  std::string operator_country;  ///< the operator's parent's home country: "CN"; or empty
  /// destination_drift: the AS numbers and countries the hostname led to before (learnt, or
  /// first seen); `asn` and `country` are where it leads now. Empty for other kinds.
  std::vector<std::uint32_t> previous_asns;
  std::vector<std::string> previous_countries;
  bool operator==(const AlertDestination&) const = default;
};

/// What the flow was, as nDPI named it.
struct AlertProtocol {
  std::string l4;                  ///< "tcp", "udp", "icmp", ...
  std::string app;                 ///< nDPI application protocol name ("Hikvision", "TLS")
  std::string master;              ///< nDPI master protocol ("TLS" for Hikvision over TLS)
  std::string category;            ///< nDPI category name
  std::vector<std::string> risks;  ///< nDPI risk names, in nDPI's order
  bool operator==(const AlertProtocol&) const = default;
};

/// The traffic that raised the alert (packet time).
struct AlertEvidence {
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::uint64_t packets = 0;  ///< camera to destination
  std::uint64_t bytes = 0;    ///< camera to destination, on-the-wire lengths
  /// The episode's raises (each a flow, so a contact) come at a regular interval: the lifecycle
  /// sets it on its notifications (camwatch/beacon.h); nullopt otherwise and on a raised alert.
  std::optional<Beacon> beacon;
  bool operator==(const AlertEvidence&) const = default;
};

/// One alert. A plain value: copy it, compare it, serialise it with alertToJson() (alert_json.h).
struct Alert {
  Timestamp time = 0;  ///< packet time the alert was raised (or last repeated)
  Severity severity = Severity::kWarning;
  AlertKind kind = AlertKind::kDisallowedDestination;
  AlertStatus status = AlertStatus::kFiring;
  std::optional<Timestamp> ends_at;  ///< set when resolved (or when the raiser knows the end)
  AlertCamera camera;
  AlertDestination destination;
  AlertProtocol protocol;
  AlertEvidence evidence;
  std::string rule;       ///< the policy rule that matched ("default" for the default action)
  std::string sensor;     ///< the sensor's name from the config
  std::string dedup_key;  ///< dedupKey(*this) when the raiser filled it
  std::uint32_t repeat_count = 0;  ///< repeats folded into this alert since it was first raised
  bool operator==(const Alert&) const = default;
};

/// Version of the alert JSON; bumped only on incompatible changes (docs/alerts.md).
inline constexpr int kAlertSchemaVersion = 1;

/// RFC 3339 UTC with nanoseconds, "2026-01-15T09:00:00.123456789Z" (parseTimestamp() reads it).
/// Any thread.
std::string formatAlertTime(Timestamp ts);

/// The dedup key: "<camera ip>|<kind>|<destination>", e.g. "192.168.10.20|vendor_cloud|
/// 203.0.113.7". <destination> is the destination IP text; without an IP, "dns:" + hostname;
/// with neither, "-". The port is left out on purpose: the same camera reaching the same host on
/// 443 and 8443 is one finding. Stable text: used as an Alertmanager label and in files.
/// @param camera_ip the camera; @param kind the alert kind; @param destination as above.
std::string dedupKey(const IpAddress& camera_ip, AlertKind kind,
                     const AlertDestination& destination);

/// dedupKey() of the alert's own camera, kind and destination (ignores `alert.dedup_key`).
std::string dedupKey(const Alert& alert);

/// Somewhere alerts go. Implementations live in daemon/sinks/<backend>/.
class AlertSink {
 public:
  virtual ~AlertSink() = default;

  /// Delivers a batch, all or nothing: on error the whole batch is offered again later, so a
  /// sink may see an alert twice (at-least-once). Called on the delivery thread only; `alerts`
  /// is valid for the call only.
  /// @return success once the backend accepted every alert; an error naming the backend, the
  /// target (file, URL) and what went wrong otherwise.
  virtual Result<void> deliver(std::span<const Alert> alerts) = 0;

  /// The sink's configured name ("alertmanager", "webhook-soc"): unique, used in metric labels
  /// and the spool's state file name ([A-Za-z0-9_.-] only). Any thread.
  virtual std::string_view name() const = 0;
};
using AlertSinkPtr = std::unique_ptr<AlertSink>;

}  // namespace camwatch
