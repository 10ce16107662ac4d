// The scenario list camwatch-testgen shows, and runScenario(), which writes one by name.
#include <stdexcept>
#include <utility>

#include "support/scenarios.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit {

using scenario::buildBasic;
using scenario::buildBranch;
using scenario::buildDemo;
using scenario::buildLinktypes;
using scenario::buildTimeouts;
using scenario::fileOptions;
using scenario::linkKindFor;
using scenario::linktypeForChoice;
using scenario::writeBench;
using scenario::writeConcurrent;
using scenario::writeFleet;
using scenario::writeFlood;
using scenario::writeMix;
using scenario::writeSpoof;

bool parseLinkChoice(std::string_view text, LinkChoice& out) {
  static const std::pair<std::string_view, LinkChoice> kNames[] = {
      {"ethernet", LinkChoice::kEthernet}, {"sll", LinkChoice::kSll},   {"sll2", LinkChoice::kSll2},
      {"raw", LinkChoice::kRaw},           {"ipv4", LinkChoice::kIpv4}, {"ipv6", LinkChoice::kIpv6},
      {"null", LinkChoice::kNull},
  };
  for (const auto& [name, choice] : kNames) {
    if (name == text) {
      out = choice;
      return true;
    }
  }
  return false;
}

const std::vector<ScenarioInfo>& scenarios() {
  static const std::vector<ScenarioInfo> kScenarios = {
      {"demo",
       "camera VLAN, ~10 minutes: RTSP, NTP, vendor clouds, STUN, a 30 MB upload, a new "
       "device, ARP/LLDP, one untagged management flow",
       true},
      {"branch",
       "a second site, 5 minutes: five cameras of other vendors on VLAN 20, cloud check-ins, "
       "NTP, STUN, HTTP telemetry, RTSP to the NVR",
       true},
      {"basic",
       "small capture with exactly known flows (TCP, UDP, ICMP, IPv6, VLAN, QinQ, "
       "IPv4 fragments, ARP)",
       true},
      {"linktypes", "a few flows with the link layer of --link", true},
      {"bench", "large capture (--packets, --flows) with a realistic packet mix", false},
      {"timeouts", "flows cut by the idle and active timeouts", true},
      {"flood", "one camera, one UDP datagram to each of --flows public addresses", false},
      {"spoof", "--flows camera source addresses, one UDP datagram each to one public address",
       false},
      {"fleet",
       "--cameras cameras (200) over --flows flows in 10 minutes: vendor clouds, NTP, RTSP, "
       "STUN to many peers, a 30 MB upload, an unlisted device (the report bench)",
       false},
      {"concurrent",
       "--flows DNS and NTP exchanges of two packets, all open at the end (memory per flow)",
       false},
  };
  return kScenarios;
}

std::uint64_t runScenario(const std::string& name, const std::string& output,
                          const ScenarioOptions& options, ExpectedCapture* expected) {
  TrafficMix mix;
  if (name == "demo") {
    buildDemo(mix);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "branch") {
    buildBranch(mix);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "basic") {
    buildBasic(mix);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "linktypes") {
    bool v4 = options.link != LinkChoice::kIpv6;
    bool v6 = options.link != LinkChoice::kIpv4;
    buildLinktypes(mix, linkKindFor(options.link), v4, v6);
    return writeMix(mix, output, options, linktypeForChoice(options.link), expected);
  }
  if (name == "timeouts") {
    buildTimeouts(mix, expected);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "bench") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    writeBench(options, *writer);
    writer->close();
    return writer->packetsWritten();
  }
  if (name == "fleet") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    writeFleet(options, *writer);
    writer->close();
    return writer->packetsWritten();
  }
  if (name == "flood") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    const std::uint64_t packets = writeFlood(*writer, options.flows);
    writer->close();
    return packets;
  }
  if (name == "spoof") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    const std::uint64_t packets = writeSpoof(*writer, options.flows);
    writer->close();
    return packets;
  }
  if (name == "concurrent") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    const std::uint64_t packets = writeConcurrent(*writer, options.flows);
    writer->close();
    return packets;
  }
  throw std::invalid_argument("unknown scenario: " + name);
}

}  // namespace camwatch::testkit
