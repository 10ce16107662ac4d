#include "report/flow_digest.h"

#include <algorithm>
#include <cstring>

namespace camwatch {
namespace {

void addHostname(std::string& names, std::string_view name) {
  if (name.empty()) return;
  // Whole-word match: "a.com" must not hide "a.com.evil".
  std::size_t at = 0;
  while (at < names.size()) {
    std::size_t end = names.find(' ', at);
    if (end == std::string::npos) end = names.size();
    if (std::string_view(names).substr(at, end - at) == name) return;
    at = end + 1;
  }
  if (!names.empty()) names += ' ';
  names += name;
}

// The server's own name: none for a DNS flow, whose name is the question it asked (flow records
// write it as dns_query), not the resolver's.
std::string_view hostnameOf(const FlowRecord& flow) {
  if (flow.dpi.hostname_source == HostnameSource::kDnsQuery) return {};
  return {flow.dpi.hostname.data(), strnlen(flow.dpi.hostname.data(), flow.dpi.hostname.size())};
}

// The flow's classification as its destination's: without a DNS flow's question.
FlowClassification destinationClassification(const FlowRecord& flow) {
  FlowClassification dpi = flow.dpi;
  if (dpi.hostname_source == HostnameSource::kDnsQuery) {
    dpi.hostname[0] = '\0';
    dpi.hostname_source = HostnameSource::kNone;
  }
  return dpi;
}

}  // namespace

void FlowTally::add(const FlowRecord& flow) {
  ++flows;
  packets += flow.packets[0] + flow.packets[1];
  bytes += flow.bytes[0] + flow.bytes[1];
}

void EgressTimeline::add(Timestamp origin, Timestamp first, Timestamp last, std::uint64_t bytes) {
  if (bytes_.empty()) bytes_.assign(kBuckets, 0.0);
  first = std::max(first, origin);
  last = std::max(last, first);
  // Coarsen until `last` fits: merge neighbours, so bucket i covers [i*w, (i+1)*w) again.
  while (last - origin >= static_cast<Timestamp>(kBuckets) * width_) {
    for (std::size_t i = 0; i < kBuckets / 2; ++i) bytes_[i] = bytes_[2 * i] + bytes_[2 * i + 1];
    std::fill(bytes_.begin() + kBuckets / 2, bytes_.end(), 0.0);
    width_ *= 2;
  }
  spread(origin, first, last, static_cast<double>(bytes));
}

void EgressTimeline::spread(Timestamp origin, Timestamp first, Timestamp last, double bytes) {
  const auto index = [&](Timestamp ts) {
    return std::min(kBuckets - 1, static_cast<std::size_t>((ts - origin) / width_));
  };
  if (last == first) {
    bytes_[index(first)] += bytes;
    return;
  }
  const double duration = static_cast<double>(last - first);
  for (std::size_t i = index(first); i <= index(last); ++i) {
    const Timestamp from = std::max(first, origin + static_cast<Timestamp>(i) * width_);
    const Timestamp to = std::min(last, origin + static_cast<Timestamp>(i + 1) * width_);
    if (to > from) bytes_[i] += bytes * static_cast<double>(to - from) / duration;
  }
}

std::vector<double> EgressTimeline::rebucket(Timestamp origin, Timestamp start, Timestamp width,
                                             std::size_t count) const {
  std::vector<double> out(count, 0.0);
  if (count == 0 || width <= 0) return out;
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (bytes_[i] == 0.0) continue;
    const Timestamp from = origin + static_cast<Timestamp>(i) * width_;
    const Timestamp to = from + width_;
    const auto first = static_cast<std::size_t>(std::max<Timestamp>(0, from - start) / width);
    for (std::size_t j = std::min(first, count - 1); j < count; ++j) {
      const Timestamp bucket_from = start + static_cast<Timestamp>(j) * width;
      const Timestamp bucket_to =
          j + 1 == count ? std::max(to, bucket_from + width) : bucket_from + width;
      if (bucket_from >= to) break;
      const Timestamp overlap = std::min(to, bucket_to) - std::max(from, bucket_from);
      if (overlap > 0) {
        out[j] += bytes_[i] * static_cast<double>(overlap) / static_cast<double>(width_);
      }
    }
  }
  return out;
}

FlowDigest::FlowDigest(FlowDigestLimits limits) : limits_(limits) {}

void FlowDigest::setOrigin(Timestamp first_ts) {
  origin_ = first_ts - ((first_ts % kNanosPerSecond) + kNanosPerSecond) % kNanosPerSecond;
}

void FlowDigest::add(const FlowRecord& flow, const FlowLabels& labels) {
  ++flows_;
  by_l4_[flow.key.ip_proto].add(flow);
  by_vlan_[{flow.key.vlan_outer, flow.key.vlan_inner}].add(flow);
  auto& protocol = by_protocol_[{flow.dpi.master_protocol, flow.dpi.app_protocol}];
  protocol.first = flow.dpi;
  protocol.second.add(flow);
  ++by_end_reason_[flow.end_reason];
  addTalker(flow.key.addr_a, flow);
  addTalker(flow.key.addr_b, flow);
  if (flow.server_scope == AddressScope::kPublic) addInternetDestination(flow);
  if (flow.egress) addEgress(flow, labels);
}

void FlowDigest::addTalker(const IpAddress& ip, const FlowRecord& flow) {
  std::uint32_t found = talkers_.find(ip);
  if (found == talkers_.kNotFound) {
    if (talkers_.size() >= limits_.max_hosts) {
      ++untracked_talker_flows_;
      return;
    }
    found = talkers_.tryEmplace(ip).first;
    talkers_[found].ip = ip;
  }
  TalkerTally& talker = talkers_[found];
  talker.bytes += flow.bytes[0] + flow.bytes[1];
  talker.packets += flow.packets[0] + flow.packets[1];
  ++talker.flows;
}

void FlowDigest::addInternetDestination(const FlowRecord& flow) {
  std::uint32_t found = destinations_.find(flow.serverIp());
  if (found == destinations_.kNotFound) {
    if (destinations_.size() >= limits_.max_hosts) {
      ++untracked_destination_flows_;
      return;
    }
    found = destinations_.tryEmplace(flow.serverIp()).first;
    InternetDestinationTally& added = destinations_[found];
    added.ip = flow.serverIp();
    added.dpi = destinationClassification(flow);
    added.country = flow.server_country;
    added.asn = flow.server_asn;
  }
  InternetDestinationTally& dest = destinations_[found];
  if (dest.dpi.hostname[0] == '\0' && !hostnameOf(flow).empty()) {
    dest.dpi = flow.dpi;
    dest.country = flow.server_country;
    dest.asn = flow.server_asn;
  }
  dest.bytes += flow.bytes[0] + flow.bytes[1];
  ++dest.flows;
  if (std::find(dest.clients.begin(), dest.clients.end(), flow.clientIp()) == dest.clients.end()) {
    if (dest.clients.size() < limits_.max_clients_per_destination) {
      dest.clients.push_back(flow.clientIp());
    } else {
      dest.clients_capped = true;
    }
  }
}

void FlowDigest::addEgress(const FlowRecord& flow, const FlowLabels& labels) {
  ++egress_flows_;
  egress_bytes_out_ += flow.bytes[kToServer];
  std::uint32_t timeline = timelines_.find(flow.clientIp());
  if (timeline == timelines_.kNotFound && timelines_.size() < limits_.max_timelines) {
    timeline = timelines_.tryEmplace(flow.clientIp()).first;
  }
  if (timeline != timelines_.kNotFound) {
    timelines_[timeline].add(origin_, flow.first_seen, flow.last_seen, flow.bytes[kToServer]);
  } else {
    ++egress_flows_without_timeline_;
  }
  addContact(flow);

  const RowKey key{flow.clientIp(), flow.serverIp(), flow.key.ip_proto, flow.dpi.master_protocol,
                   flow.dpi.app_protocol};
  auto found = rows_.find(key);
  if (found == rows_.end()) {
    if (rows_.size() >= limits_.max_destination_rows) {
      ++unitemised_.flows;
      unitemised_.packets_out += flow.packets[kToServer];
      unitemised_.packets_in += flow.packets[kToClient];
      unitemised_.bytes_out += flow.bytes[kToServer];
      unitemised_.bytes_in += flow.bytes[kToClient];
      return;
    }
    found = rows_.try_emplace(key).first;
    EgressRowTally& added = found->second;
    added.camera_ip = flow.clientIp();
    added.server_ip = flow.serverIp();
    added.ip_proto = flow.key.ip_proto;
    added.dpi = destinationClassification(flow);
    added.camera_group = std::string(labels.camera_group);
    added.first_seen = flow.first_seen;
    added.last_seen = flow.last_seen;
    added.country = flow.server_country;
    added.asn = flow.server_asn;
    added.rule = std::string(labels.rule);
  }
  EgressRowTally& row = found->second;
  addHostname(row.hostname, hostnameOf(flow));
  const std::uint16_t port = flow.serverPort();
  const auto at = std::lower_bound(row.server_ports.begin(), row.server_ports.end(), port);
  // A camera sweeping every port of one server would grow this list: 64 are plenty to show.
  constexpr std::size_t kMaxPorts = 64;
  if ((at == row.server_ports.end() || *at != port) && row.server_ports.size() < kMaxPorts) {
    row.server_ports.insert(at, port);
  }
  ++row.flows;
  row.packets_out += flow.packets[kToServer];
  row.packets_in += flow.packets[kToClient];
  row.bytes_out += flow.bytes[kToServer];
  row.bytes_in += flow.bytes[kToClient];
  row.first_seen = std::min(row.first_seen, flow.first_seen);
  row.last_seen = std::max(row.last_seen, flow.last_seen);
  if (flow.verdict.action == PolicyAction::kDeny && !row.denied) {
    row.denied = true;
    row.rule = std::string(labels.rule);
    row.alert_kind = flow.verdict.alert;
  }
}

void FlowDigest::addContact(const FlowRecord& flow) {
  if (flow.continuation) return;  // the same conversation as the record before it
  const std::pair<IpAddress, IpAddress> key{flow.clientIp(), flow.serverIp()};
  auto found = contacts_.find(key);
  if (found == contacts_.end()) {
    if (contacts_.size() >= limits_.max_destination_rows) {
      ++unwatched_contact_flows_;
      return;
    }
    found = contacts_.try_emplace(key).first;
    found->second.port = flow.serverPort();
  }
  ContactSeries& series = found->second;
  series.times.add(flow.first_seen);
  if (flow.serverPort() != series.port) series.several_ports = true;
}

std::vector<BeaconTally> FlowDigest::beacons() const {
  std::vector<BeaconTally> found;
  for (const auto& [key, series] : contacts_) {
    const std::optional<Beacon> beacon = series.times.beacon();
    if (!beacon) continue;
    BeaconTally& tally = found.emplace_back();
    tally.camera_ip = key.first;
    tally.server_ip = key.second;
    tally.port = series.several_ports ? 0 : series.port;
    tally.beacon = *beacon;
    tally.first_contact = series.times.first();
    tally.last_contact = series.times.last();
    // The rows of this camera and address are neighbours in the rows' order.
    for (auto row = rows_.lower_bound(RowKey{key.first, key.second, 0, 0, 0});
         row != rows_.end() && row->second.camera_ip == key.first &&
         row->second.server_ip == key.second;
         ++row) {
      if (tally.asn == 0 && tally.country[0] == '\0') {
        tally.country = row->second.country;
        tally.asn = row->second.asn;
      }
      std::string_view names = row->second.hostname;
      while (!names.empty()) {
        const std::size_t end = std::min(names.find(' '), names.size());
        addHostname(tally.hostname, names.substr(0, end));
        names.remove_prefix(std::min(end + 1, names.size()));
      }
    }
  }
  return found;
}

std::vector<TalkerTally> FlowDigest::topTalkers(std::size_t count) const {
  std::vector<TalkerTally> talkers;
  talkers.reserve(talkers_.size());
  for (std::uint32_t index = 0; index < talkers_.size(); ++index) {
    talkers.push_back(talkers_[index]);
  }
  const std::size_t top = std::min(talkers.size(), count);
  std::partial_sort(talkers.begin(), talkers.begin() + static_cast<std::ptrdiff_t>(top),
                    talkers.end(), [](const TalkerTally& a, const TalkerTally& b) {
                      return a.bytes != b.bytes ? a.bytes > b.bytes : a.ip < b.ip;
                    });
  talkers.resize(top);
  return talkers;
}

std::vector<const InternetDestinationTally*> FlowDigest::topInternetDestinations(
    std::size_t count) const {
  std::vector<const InternetDestinationTally*> order;
  order.reserve(destinations_.size());
  for (std::uint32_t index = 0; index < destinations_.size(); ++index) {
    order.push_back(&destinations_[index]);
  }
  const std::size_t top = std::min(order.size(), count);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                    [](const InternetDestinationTally* a, const InternetDestinationTally* b) {
                      return a->bytes != b->bytes ? a->bytes > b->bytes : a->ip < b->ip;
                    });
  order.resize(top);
  return order;
}

const EgressTimeline* FlowDigest::timeline(const IpAddress& camera) const {
  const std::uint32_t found = timelines_.find(camera);
  return found == timelines_.kNotFound ? nullptr : &timelines_[found];
}

}  // namespace camwatch
