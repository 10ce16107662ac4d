// The findings the report opens with: ordered by the highest severity behind each (ties in the
// builders' order), an empty finding says so, and the counts are of distinct cameras and
// destinations whatever the number of notifications. Expectations are worked out by hand from
// the small inputs below, not read back from the code.
#include "report/findings.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

SeenCamera camera(const char* address, const char* name, const char* vendor, bool listed = true) {
  SeenCamera seen;
  seen.camera.ip = ip(address);
  seen.camera.name = name;
  seen.camera.vendor = vendor;
  seen.listed = listed;
  return seen;
}

Alert alert(AlertKind kind, Severity severity, const char* camera_ip, const char* rule) {
  Alert made;
  made.kind = kind;
  made.severity = severity;
  made.camera.ip = ip(camera_ip);
  made.rule = rule;
  return made;
}

DestinationRow row(const char* camera_ip, const char* server, std::uint64_t bytes_out) {
  DestinationRow made;
  made.camera_ip = ip(camera_ip);
  made.server_ip = ip(server);
  made.l4 = "tcp";
  made.protocol = "TLS";
  made.bytes_out = bytes_out;
  made.verdict = "allow";
  return made;
}

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& finding : findings) out.push_back(finding.id);
  return out;
}

const Finding& byId(const std::vector<Finding>& findings, const std::string& id) {
  const auto found = std::find_if(findings.begin(), findings.end(),
                                  [&](const Finding& finding) { return finding.id == id; });
  EXPECT_NE(found, findings.end()) << id;
  return *found;
}

TEST(Findings, MostSevereFirstAndTiesKeepTheListsOrder) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision"),
                                           camera("10.0.0.2", "cam-b", "Dahua")};
  DestinationRow cloud = row("10.0.0.1", "52.5.124.127", 1000);
  cloud.vendor_cloud = "HikConnect";
  cloud.verdict = "deny";
  cloud.alert_kind = "vendor_cloud";
  cloud.network_operator = "AWS";
  cloud.operator_country = "US";
  const std::vector<DestinationRow> rows = {cloud};
  Alert to_cloud =
      alert(AlertKind::kVendorCloud, Severity::kWarning, "10.0.0.1", "catalog:HikConnect");
  to_cloud.destination.ip = ip("52.5.124.127");
  to_cloud.destination.operator_country = "US";
  Alert lookup = alert(AlertKind::kDnsLookupBlocked, Severity::kCritical, "10.0.0.2", "rule:no");
  lookup.destination.dns_query = "evil.example";
  const std::vector<Alert> alerts = {to_cloud, lookup};

  const std::vector<Finding> findings = buildFindings(FindingFacts(alerts, cameras, rows, "GB", 0));
  // critical: denied; warning: vendor cloud, then the foreign operator (the cloud alert went to
  // a US operator); then everything that found nothing, in the list's order.
  EXPECT_EQ(ids(findings), (std::vector<std::string>{"denied", "vendor-cloud", "jurisdiction",
                                                     "budget", "p2p", "dns", "hardcoded", "beacons",
                                                     "drift", "unknown", "allowed"}));
  EXPECT_EQ(findings[0].level, FindingLevel::kCritical);
  EXPECT_EQ(findings[1].level, FindingLevel::kWarning);
  EXPECT_EQ(findings[2].level, FindingLevel::kWarning);
  EXPECT_EQ(findings[3].level, FindingLevel::kNothing);
  EXPECT_EQ(findings[0].sentence,
            "1 camera reached or looked up 1 destination the policy denies (1 rule).");
  EXPECT_EQ(findings[2].sentence,
            "1 camera sent 1000 B to operators under 1 foreign jurisdiction (home: GB): US (1 "
            "camera).");
}

TEST(Findings, AnEmptyFindingSaysNothingWasFound) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision")};
  const std::vector<Finding> findings = buildFindings(FindingFacts({}, cameras, {}, "", 0));
  for (const Finding& finding : findings) {
    EXPECT_EQ(finding.level, FindingLevel::kNothing) << finding.id;
    EXPECT_EQ(finding.cameras, 0U) << finding.id;
    EXPECT_TRUE(finding.lines.empty()) << finding.id;
  }
  EXPECT_EQ(byId(findings, "vendor-cloud").sentence, "No camera contacted a vendor cloud.");
  EXPECT_EQ(byId(findings, "budget").sentence, "No camera went over its egress budget.");
  EXPECT_EQ(byId(findings, "jurisdiction").title, "Operator countries");
  EXPECT_EQ(byId(findings, "jurisdiction").sentence,
            "No camera sent data to an operator the operators file lists.");
  EXPECT_EQ(byId(findings, "unknown").sentence,
            "Every device seen on the camera networks is in the inventory.");
  EXPECT_EQ(byId(findings, "allowed").sentence,
            "No camera sent anything outside the local networks. 1 camera had local traffic "
            "only.");
  // Only learning sensors raise new_destination, and no kind is left for the catch-all.
  const std::vector<std::string> listed = ids(findings);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "new-destination"), 0);
  EXPECT_EQ(byId(findings, "beacons").sentence,
            "No camera contacted a destination at a regular interval.");
  EXPECT_EQ(findings.size(), 11U);
}

TEST(Findings, VendorCloudsCountDistinctCamerasPerCloud) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision"),
                                           camera("10.0.0.2", "cam-b", "Hikvision"),
                                           camera("10.0.0.3", "cam-c", "Dahua")};
  std::vector<DestinationRow> rows;
  for (const char* who : {"10.0.0.1", "10.0.0.2"}) {
    DestinationRow hik = row(who, "52.5.124.127", 2048);
    hik.vendor_cloud = "HikConnect";
    hik.hostname = "litedev.hik-connect.com";
    rows.push_back(hik);
  }
  DestinationRow second = rows[0];  // cam-a again, another address: still one camera
  second.server_ip = ip("52.5.124.128");
  rows.push_back(second);
  DestinationRow dahua = row("10.0.0.3", "47.88.29.110", 100);
  dahua.vendor_cloud = "Dahua_Imou";
  rows.push_back(dahua);
  const std::vector<Finding> findings = buildFindings(FindingFacts({}, cameras, rows, "", 0));
  const Finding& clouds = byId(findings, "vendor-cloud");
  // Rows alone, no alert: seen and allowed by this config.
  EXPECT_EQ(clouds.level, FindingLevel::kSeen);
  EXPECT_EQ(clouds.cameras, 3U);
  EXPECT_EQ(clouds.sentence,
            "3 cameras contacted 2 vendor clouds: HikConnect (2 cameras) and Dahua_Imou (1 "
            "camera).");
  ASSERT_EQ(clouds.lines.size(), 2U);
  EXPECT_EQ(clouds.lines[0].text, "HikConnect: 6.0 KiB out to litedev.hik-connect.com");
  ASSERT_EQ(clouds.lines[0].cameras.size(), 2U);
  EXPECT_EQ(clouds.lines[0].cameras[0], (FindingLink{"10.0.0.1 cam-a", "camera-10.0.0.1"}));
  EXPECT_EQ(clouds.lines[1].text, "Dahua_Imou: 100 B out to 47.88.29.110");
  EXPECT_EQ(clouds.evidence.anchor, "chart-vendor-cloud");
}

TEST(Findings, UploadsOverBudgetNameTheLargestWindowAndDestination) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.4", "cam-yard", "Dahua"),
                                           camera("10.0.0.5", "cam-gate", "Dahua")};
  // cam-yard: a notification and a repeat with the running total; cam-gate: one.
  Alert first = alert(AlertKind::kEgressVolume, Severity::kWarning, "10.0.0.4", "budget:default");
  first.evidence.bytes = 3 * 1024 * 1024;
  Alert repeat = first;
  repeat.evidence.bytes = 5 * 1024 * 1024;
  repeat.repeat_count = 1;
  Alert gate = alert(AlertKind::kEgressVolume, Severity::kWarning, "10.0.0.5", "budget:default");
  gate.evidence.bytes = 2 * 1024 * 1024;
  DestinationRow top = row("10.0.0.4", "47.254.33.45", 4 * 1024 * 1024);
  top.network_operator = "Alibaba";
  top.operator_country = "CN";
  const std::vector<Finding> findings = buildFindings(
      FindingFacts({first, repeat, gate}, cameras, {top, row("10.0.0.4", "1.2.3.4", 10)}, "", 0));
  const Finding& budget = byId(findings, "budget");
  EXPECT_EQ(budget.level, FindingLevel::kWarning);
  EXPECT_EQ(budget.cameras, 2U);
  EXPECT_EQ(budget.sentence,
            "2 cameras went over their egress budget; the largest was 5.0 MiB in one window "
            "(10.0.0.4 cam-yard).");
  ASSERT_EQ(budget.lines.size(), 2U);
  EXPECT_EQ(budget.lines[0].text,
            "5.0 MiB out in one window (budget:default); its largest destination 47.254.33.45 "
            "(operated by Alibaba (CN)): 4.0 MiB out");
  EXPECT_EQ(budget.lines[1].text, "2.0 MiB out in one window (budget:default)");
}

TEST(Findings, UnknownDevicesCountEachDeviceOnce) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision"),
                                           camera("10.0.0.57", "", "", false)};
  Alert unknown = alert(AlertKind::kUnknownCamera, Severity::kWarning, "10.0.0.57", "inventory");
  const std::vector<Finding> findings = buildFindings(FindingFacts({unknown}, cameras, {}, "", 0));
  const Finding& devices = byId(findings, "unknown");
  EXPECT_EQ(devices.level, FindingLevel::kWarning);
  EXPECT_EQ(devices.sentence, "1 device not in the inventory was seen on the camera networks.");
  ASSERT_EQ(devices.lines.size(), 1U);
  EXPECT_EQ(devices.lines[0].text, "vendor unknown: 1 device");
  EXPECT_EQ(findings.front().id, "unknown");  // the only warning
}

TEST(Findings, JurisdictionsWithoutAHomeCountryListEveryOperatorCountry) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision")};
  DestinationRow gb = row("10.0.0.1", "81.2.69.1", 300);
  gb.network_operator = "BT";
  gb.operator_country = "GB";
  DestinationRow cn = row("10.0.0.1", "47.88.29.110", 700);
  cn.network_operator = "Alibaba";
  cn.operator_country = "CN";
  const std::vector<DestinationRow> rows = {cn, gb, row("10.0.0.1", "45.0.0.1", 5)};
  const Finding without =
      byId(buildFindings(FindingFacts({}, cameras, rows, "", 0)), "jurisdiction");
  EXPECT_EQ(without.level, FindingLevel::kSeen);
  EXPECT_EQ(without.sentence,
            "1 camera sent 1000 B to operators in 2 countries: CN (1 camera) and GB (1 camera) "
            "(set sensor.country to name the foreign ones). 5 B went to networks the operators "
            "file does not list.");
  const Finding home =
      byId(buildFindings(FindingFacts({}, cameras, rows, "GB", 0)), "jurisdiction");
  EXPECT_EQ(home.title, "Foreign jurisdictions");
  EXPECT_EQ(home.sentence,
            "1 camera sent 700 B to operators under 1 foreign jurisdiction (home: GB): CN (1 "
            "camera). 5 B went to networks the operators file does not list.");
  ASSERT_EQ(home.lines.size(), 1U);
  EXPECT_EQ(home.lines[0].text, "CN: Alibaba; 700 B out to 47.88.29.110");
}

TEST(Findings, ManyCamerasAreCutWithACount) {
  std::vector<SeenCamera> cameras;
  std::vector<DestinationRow> rows;
  for (int i = 1; i <= 20; ++i) {
    const std::string address = "10.0.1." + std::to_string(i);
    cameras.push_back(camera(address.c_str(), "", "Hikvision"));
    DestinationRow hik = row(address.c_str(), "52.5.124.127", 10);
    hik.vendor_cloud = "HikConnect";
    rows.push_back(hik);
  }
  const Finding clouds =
      byId(buildFindings(FindingFacts({}, cameras, rows, "", 0)), "vendor-cloud");
  ASSERT_EQ(clouds.lines.size(), 1U);
  EXPECT_EQ(clouds.lines[0].cameras.size(), kFindingLinksPerLine);
  EXPECT_EQ(clouds.lines[0].more_cameras, 20 - kFindingLinksPerLine);
}

TEST(Findings, RowsBeyondTheLimitAreNamedWhereRowsAreCounted) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Hikvision")};
  const Finding clouds = byId(buildFindings(FindingFacts({}, cameras, {}, "", 42)), "vendor-cloud");
  EXPECT_EQ(clouds.sentence,
            "No camera contacted a vendor cloud. (42 egress flows beyond "
            "replay.max_destination_rows are not in this count.)");
}

TEST(Findings, EveryAlertKindHasAFindingOtherThanTheCatchAll) {
  const std::vector<std::string_view>& claimed = claimedAlertKinds();
  for (int kind = 0; kind < 256; ++kind) {
    const std::string_view name = alertKindName(static_cast<AlertKind>(kind));
    if (name == "unknown") break;  // past the last kind
    EXPECT_NE(std::find(claimed.begin(), claimed.end(), name), claimed.end()) << name;
  }
}

TEST(Findings, DnsOutsideTheSiteFromTheRowsPlainAndEncrypted) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "cam-a", "Dahua"),
                                           camera("10.0.0.2", "cam-b", "Dahua")};
  DestinationRow quad9 = row("10.0.0.1", "9.9.9.9", 300);
  quad9.l4 = "udp";
  quad9.protocol = "DNS";
  quad9.server_ports = {53};
  DestinationRow doh = row("10.0.0.2", "8.8.8.8", 200);
  doh.protocol = "TLS.DoH_DoT";
  doh.server_ports = {443};
  doh.network_operator = "Google";
  doh.operator_country = "US";
  DestinationRow dot = row("10.0.0.2", "1.1.1.1", 100);
  dot.server_ports = {853};  // nDPI said TLS; the port says DoT
  const std::vector<Finding> findings =
      buildFindings(FindingFacts({}, cameras, {quad9, doh, dot}, "GB", 0));
  const Finding& dns = byId(findings, "dns");
  EXPECT_EQ(dns.level, FindingLevel::kSeen);  // no alert kind raised them here
  EXPECT_EQ(dns.cameras, 2U);
  EXPECT_EQ(dns.sentence,
            "2 cameras used 1 DNS resolver outside the site and 2 encrypted DNS services.");
  ASSERT_EQ(dns.lines.size(), 3U);
  EXPECT_EQ(dns.lines[0].text, "DNS 9.9.9.9");
  EXPECT_EQ(dns.lines[1].text, "encrypted DNS 8.8.8.8 (Google (US))");
  EXPECT_EQ(dns.lines[2].text, "encrypted DNS 1.1.1.1");
  EXPECT_EQ(dns.lines[1].cameras[0].anchor, "camera-10.0.0.2");
}

// Five contacts 30 s apart from one camera to one address are a beacon (camwatch/beacon.h: at
// least 4 contacts, jitter at most a tenth of the period); an alert whose evidence carries the
// beacon sets the level.
TEST(Findings, BeaconsFromTheDigestWithTheLevelOfTheirAlerts) {
  const std::vector<SeenCamera> cameras = {camera("10.0.0.34", "cam-mast", "Hikvision")};
  FlowDigest digest;
  const Timestamp t0 = 1768467600LL * kNanosPerSecond;
  digest.setOrigin(t0);
  for (int n = 0; n < 5; ++n) {
    FlowRecord flow;
    flow.key.addr_a = ip("10.0.0.34");
    flow.key.addr_b = ip("52.5.124.127");
    flow.key.port_a = static_cast<std::uint16_t>(40000 + n);
    flow.key.port_b = 443;
    flow.key.ip_proto = 6;
    flow.client_is_a = true;
    flow.first_seen = t0 + n * 30 * kNanosPerSecond;
    flow.last_seen = flow.first_seen + kNanosPerSecond;
    flow.bytes = {500, 900};
    flow.egress = true;
    digest.add(flow);
  }
  const Finding seen =
      byId(buildFindings(FindingFacts({}, cameras, {}, "", 0, &digest)), "beacons");
  EXPECT_EQ(seen.level, FindingLevel::kSeen);
  EXPECT_EQ(seen.sentence, "1 camera contacted 1 destination at a regular interval (1 rhythm).");
  ASSERT_EQ(seen.lines.size(), 1U);
  EXPECT_EQ(seen.lines[0].text, "52.5.124.127: every 30.0 s (jitter 0.0 s)");
  EXPECT_EQ(seen.lines[0].cameras[0].anchor, "camera-10.0.0.34");
  EXPECT_EQ(seen.evidence.anchor, "beacons");

  Alert cloud =
      alert(AlertKind::kVendorCloud, Severity::kWarning, "10.0.0.34", "catalog:HikConnect");
  cloud.evidence.beacon = Beacon{30 * kNanosPerSecond, 0, 5};
  const Finding alerted =
      byId(buildFindings(FindingFacts({cloud}, cameras, {}, "", 0, &digest)), "beacons");
  EXPECT_EQ(alerted.level, FindingLevel::kWarning);
}

}  // namespace
}  // namespace camwatch
