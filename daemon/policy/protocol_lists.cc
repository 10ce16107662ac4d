// The built-in protocol lists of the policy (vendor-cloud catalog, P2P names) and the reader of
// nDPI protocols files that keeps the catalog honest.
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/policy.h>

namespace camwatch {

std::string_view policyActionName(PolicyAction action) {
  return action == PolicyAction::kAllow ? "allow" : "deny";
}

std::optional<PolicyAction> policyActionFromName(std::string_view name) {
  if (name == "allow") return PolicyAction::kAllow;
  if (name == "deny") return PolicyAction::kDeny;
  return std::nullopt;
}

const std::vector<std::string>& defaultVendorCloudCatalog() {
  // Mirrors config/camera-clouds.protos (tests/unit/policy checks that they agree): built in so
  // the catalog works even when DPI runs without the protos file or with a site's own one.
  static const std::vector<std::string> kCatalog = {
      "HikConnect",    "Hikvision_ISUP", "Dahua_Imou",      "Amcrest",      "XMEye",
      "Reolink",       "TPLink_Tapo",    "Uniview_EZCloud", "Axis_Cloud",   "Hanwha_Wisenet",
      "Ring",          "GoogleNest",     "Blink",           "Eufy",         "Wyze",
      "Yi_Kami",       "CS2_PPPP",       "TUTK_Kalay",      "MyCamDNS_P2P", "DLink_mydlink",
      "Zmodo_MeShare", "Edimax",         "Foscam",
  };
  return kCatalog;
}

const std::vector<std::string>& defaultP2pProtocols() {
  // From `ndpiReader -a 0` of nDPI 4.2. 4.2 has no TURN protocol: TURN allocations and relayed
  // data are classified STUN. Teredo is IPv6 NAT traversal through a relay. The rest are P2P
  // file-sharing and P2P streaming networks, which a camera has no business joining. Left out on
  // purpose: RTP/RTCP (also plain RTSP media), VPNs (their own policy question), and services
  // that merely use P2P (Skype_Teams, Zoom): allow or deny them by name.
  static const std::vector<std::string> kP2p = {
      "STUN",       "Teredo", "BitTorrent", "eDonkey",    "Gnutella", "FastTrack", "DirectConnect",
      "AppleJuice", "OpenFT", "Thunder",    "Stealthnet", "Aimini",   "Sopcast",   "PPStream",
  };
  return kP2p;
}

PolicyOptions defaultPolicyOptions() {
  PolicyOptions options;
  options.vendor_cloud_catalog = defaultVendorCloudCatalog();
  options.p2p_protocols = defaultP2pProtocols();
  return options;
}

Result<PolicyOptions> loadPolicyOptions(const std::string& cloud_names_file,
                                        OperatorTablePtr operators) {
  PolicyOptions options = defaultPolicyOptions();
  options.operators = std::move(operators);
  if (!cloud_names_file.empty()) {
    auto names = loadVendorCloudNames(cloud_names_file, options.vendor_cloud_catalog);
    if (!names) return tl::unexpected(names.error());
    options.vendor_cloud_names = std::move(*names);
  }
  return options;
}

Result<std::vector<std::string>> loadProtocolNames(const std::string& protos_path) {
  std::ifstream in(protos_path, std::ios::binary);
  if (!in) return makeError(protos_path + ": cannot open the protocols file");
  std::vector<std::string> names;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // nDPI 4.2 only knows comments in column 0; several rules on a line share one trailing name.
    if (line.empty() || line.front() == '#') continue;
    std::size_t at = line.rfind('@');
    std::string_view name =
        at == std::string::npos ? std::string_view() : std::string_view(line).substr(at + 1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty()) {
      return makeError(protos_path + ":" + std::to_string(line_number) +
                       ": rule without a protocol name ('@Name')");
    }
    bool seen = false;
    for (const std::string& known : names) seen = seen || known == name;
    if (!seen) names.emplace_back(name);
  }
  if (in.bad()) return makeError(protos_path + ": read error");
  return names;
}

}  // namespace camwatch
