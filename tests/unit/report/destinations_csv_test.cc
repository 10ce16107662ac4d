// Per-camera destinations: egress flows folded per camera x destination in a fixed order, and
// the CSV: RFC 4180 quoting and the guard against spreadsheet formulas in hostnames.
#include "report/destinations_csv.h"

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

FlowRecord egressFlow(const char* camera, const char* server, std::uint16_t port,
                      std::uint64_t bytes_out, Timestamp first, const char* hostname = "") {
  FlowRecord flow;
  flow.key.addr_a = ip(camera);
  flow.key.addr_b = ip(server);
  flow.key.port_a = 50000;
  flow.key.port_b = port;
  flow.key.ip_proto = 6;
  flow.client_is_a = true;
  flow.first_seen = first;
  flow.last_seen = first + 2 * kNanosPerSecond;
  flow.packets = {3, 2};
  flow.bytes = {bytes_out, 100};
  flow.egress = true;
  flow.server_country = {'U', 'S', '\0'};
  flow.server_asn = 64500;
  std::strncpy(flow.dpi.hostname.data(), hostname, flow.dpi.hostname.size() - 1);
  return flow;
}

TEST(Destinations, EgressFlowsAreFoldedPerCameraAndDestinationInAFixedOrder) {
  ReplayOutcome result;
  std::vector<FlowRecord> flows;
  const Timestamp t0 = 1768467600LL * kNanosPerSecond;
  flows.push_back(egressFlow("192.168.10.22", "203.0.113.9", 443, 500, t0, "a.example"));
  flows.push_back(egressFlow("192.168.10.21", "203.0.113.7", 443, 100, t0, "b.example"));
  flows.push_back(egressFlow("192.168.10.21", "203.0.113.8", 443, 900, t0 + kNanosPerSecond));
  flows.push_back(
      egressFlow("192.168.10.21", "203.0.113.7", 8443, 50, t0 + 5 * kNanosPerSecond, "c.example"));
  FlowRecord local = egressFlow("192.168.10.21", "192.168.10.200", 554, 9999, t0);
  local.egress = false;  // camera to the NVR: not a destination
  flows.push_back(local);
  flows.back().verdict.action = PolicyAction::kAllow;
  flows[1].verdict.action = PolicyAction::kDeny;
  flows[1].verdict.alert = AlertKind::kVendorCloud;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    // The rule's text comes with the record, named by whoever hands it over (cli/).
    result.digest.add(flows[i], FlowLabels{"", i == 1 ? "catalog:HikConnect" : ""});
  }

  const std::vector<DestinationRow> rows = buildDestinations(result, FlowNaming{});
  ASSERT_EQ(rows.size(), 3U);
  // Camera .21 first (by address), its destinations by bytes out, most first.
  EXPECT_EQ(rows[0].camera_ip.toString(), "192.168.10.21");
  EXPECT_EQ(rows[0].server_ip.toString(), "203.0.113.8");
  EXPECT_EQ(rows[0].bytes_out, 900U);
  const DestinationRow& folded = rows[1];
  EXPECT_EQ(folded.server_ip.toString(), "203.0.113.7");
  EXPECT_EQ(folded.flows, 2U);
  EXPECT_EQ(folded.bytes_out, 150U);
  EXPECT_EQ(folded.bytes_in, 200U);
  EXPECT_EQ(folded.packets_out, 6U);
  EXPECT_EQ(folded.server_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_EQ(folded.hostname, "b.example c.example");
  EXPECT_EQ(folded.first_seen, t0);
  EXPECT_EQ(folded.last_seen, t0 + 7 * kNanosPerSecond);
  EXPECT_EQ(folded.country, "US");
  EXPECT_EQ(folded.asn, 64500U);
  EXPECT_EQ(folded.verdict, "deny");
  EXPECT_EQ(folded.rule, "catalog:HikConnect");
  EXPECT_EQ(folded.alert_kind, "vendor_cloud");
  EXPECT_EQ(folded.protocol, "Unknown");  // no namer
  EXPECT_EQ(rows[2].camera_ip.toString(), "192.168.10.22");
  EXPECT_EQ(rows[2].verdict, "allow");
}

TEST(Destinations, VendorCloudIsTheCatalogProtocolIgnoringCase) {
  EXPECT_EQ(vendorCloudOf("TLS.HikConnect", "TLS", "HikConnect"), "HikConnect");
  EXPECT_EQ(vendorCloudOf("x", "y", "dahua_imou"), "Dahua_Imou");
  EXPECT_EQ(vendorCloudOf("TLS", "TLS", "TLS"), "");
}

TEST(DestinationsCsv, FieldsAreQuotedPerRfc4180) {
  EXPECT_EQ(csvField("plain.example.com"), "plain.example.com");
  EXPECT_EQ(csvField(""), "");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csvField("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(csvField("Amazon.com, Inc."), "\"Amazon.com, Inc.\"");
  EXPECT_EQ(csvField("日本.example"), "日本.example");  // UTF-8 passes through
}

TEST(DestinationsCsv, FormulaStartsAreDefused) {
  EXPECT_EQ(csvField("=HYPERLINK(\"http://evil\")"), "\"'=HYPERLINK(\"\"http://evil\"\")\"");
  EXPECT_EQ(csvField("+1+1"), "'+1+1");
  EXPECT_EQ(csvField("-2+3"), "'-2+3");
  EXPECT_EQ(csvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csvField("\tcmd"), "'\tcmd");
  EXPECT_EQ(csvField("\rcmd"), "\"'\rcmd\"");
  EXPECT_EQ(csvField("a=b"), "a=b");  // only the first character matters
}

TEST(DestinationsCsv, HeaderAndRowsWithCrlfAndRfc3339Times) {
  ReplayOutcome result;
  const Timestamp t0 = 1768467600LL * kNanosPerSecond;
  result.digest.add(egressFlow("192.168.10.21", "203.0.113.7", 443, 100, t0, "=cmd|' /C calc'!A0"));
  const std::string csv = destinationsToCsv(buildDestinations(result, FlowNaming{}));
  const std::string header =
      "camera_ip,camera_name,camera_group,server_ip,hostname,l4,protocol,server_ports,flows,"
      "packets_out,packets_in,bytes_out,bytes_in,first_seen,last_seen,country,asn,org,operator,"
      "operator_country,vendor_cloud,verdict,rule,alert_kind\r\n";
  ASSERT_EQ(csv.substr(0, header.size()), header);
  EXPECT_EQ(csv.substr(header.size()),
            "192.168.10.21,,,203.0.113.7,'=cmd|' /C calc'!A0,tcp,Unknown,443,1,3,2,100,100,"
            "2026-01-15T09:00:00.000000Z,2026-01-15T09:00:02.000000Z,US,64500,,,,,allow,,\r\n");
}

}  // namespace
}  // namespace camwatch
