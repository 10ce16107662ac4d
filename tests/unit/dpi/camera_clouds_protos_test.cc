// Tests of config/camera-clouds.protos with the real nDPI 4.2: the file keeps to the syntax 4.2
// reads without surprises, it loads, every camera-cloud protocol exists as a custom protocol,
// vendor host names from the research are classified as their protocol when nDPI sees them as a
// DNS query or a TLS SNI (fed as real packets from the testkit), unrelated or look-alike names
// are not, and the IP and port rules behave as the file's header says.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <ndpi/ndpi_api.h>

#include "support/app_payloads.h"
#include "support/packet_builder.h"
#include "support/traffic.h"

namespace camwatch {
namespace {

using testkit::ClientHelloOptions;
using testkit::Host;
using testkit::kMillis;
using testkit::LinkKind;
using testkit::LinkSpec;
using testkit::parseMac;
using testkit::TcpMessage;
using testkit::TcpSessionSpec;
using testkit::TimedFrame;
using testkit::UdpDatagram;
using testkit::UdpExchangeSpec;

const std::string kProtosPath = std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-clouds.protos";

// The protocol names other code (policy, dashboards) refers to: renaming one is an interface
// change, so the list is spelled out here rather than read back from the file.
const std::set<std::string> kCameraCloudProtocols = {
    "HikConnect",    "Hikvision_ISUP", "Dahua_Imou",      "Amcrest",      "XMEye",
    "Reolink",       "TPLink_Tapo",    "Uniview_EZCloud", "Axis_Cloud",   "Hanwha_Wisenet",
    "Ring",          "GoogleNest",     "Blink",           "Eufy",         "Wyze",
    "Yi_Kami",       "CS2_PPPP",       "TUTK_Kalay",      "MyCamDNS_P2P", "DLink_mydlink",
    "Zmodo_MeShare", "Edimax",         "Foscam"};

// Frames are Ethernet + one 802.1Q tag, as on a camera VLAN trunk; nDPI wants the IP header.
constexpr std::size_t kL3Offset = 14 + 4;
const LinkSpec kCameraVlan{LinkKind::kEthernet, {10}, false, 0};
const Host kCamera{parseMac("44:19:b6:3a:51:21"), "192.168.10.21"};
const Host kGateway{parseMac("02:00:0a:0a:00:01"), "192.168.10.1"};
// Documentation address: no built-in nDPI IP list knows it, so only names and ports decide.
// Reached through the gateway, so frames to it carry the gateway's MAC.
const Host kCloud{parseMac("02:00:0a:0a:00:01"), "203.0.113.45"};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool allOf(std::string_view text, bool (*accept)(char)) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!accept(c)) return false;
  }
  return true;
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHostChar(char c) { return (c >= 'a' && c <= 'z') || isDigit(c) || c == '.' || c == '-'; }
bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || isDigit(c) || c == '_';
}

// One rule as this file writes them: host:"lower.case.name", ip:a.b.c.d/len, tcp:N, udp:N-M.
// (No std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.)
bool isRule(std::string_view rule) {
  if (rule.substr(0, 6) == "host:\"" && rule.size() > 7 && rule.back() == '"') {
    return allOf(rule.substr(6, rule.size() - 7), isHostChar);
  }
  if (rule.substr(0, 3) == "ip:") {
    std::string_view cidr = rule.substr(3);
    std::size_t slash = cidr.find('/');
    if (slash == std::string_view::npos || !allOf(cidr.substr(slash + 1), isDigit)) return false;
    std::string_view address = cidr.substr(0, slash);
    int dots = 0;
    for (std::size_t start = 0;; ++dots) {
      std::size_t dot = address.find('.', start);
      if (!allOf(address.substr(start, dot - start), isDigit)) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    return dots == 3;
  }
  if (rule.substr(0, 4) == "tcp:" || rule.substr(0, 4) == "udp:") {
    std::string_view ports = rule.substr(4);
    std::size_t dash = ports.find('-');
    if (dash == std::string_view::npos) return allOf(ports, isDigit);
    return allOf(ports.substr(0, dash), isDigit) && allOf(ports.substr(dash + 1), isDigit);
  }
  return false;
}

// rule[,rule...]@Name
bool isRuleLine(std::string_view line) {
  std::size_t at = line.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view name = line.substr(at + 1);
  if (!allOf(name, isNameChar) || isDigit(name[0])) return false;
  std::string_view rules = line.substr(0, at);
  for (std::size_t start = 0;;) {
    std::size_t comma = rules.find(',', start);
    if (!isRule(rules.substr(start, comma - start))) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

bool isCustom(std::uint16_t id) { return id >= NDPI_MAX_SUPPORTED_PROTOCOLS; }

struct ModuleDeleter {
  void operator()(ndpi_detection_module_struct* module) const {
    ndpi_exit_detection_module(module);
  }
};
using ModulePtr = std::unique_ptr<ndpi_detection_module_struct, ModuleDeleter>;

struct FlowDeleter {
  void operator()(ndpi_flow_struct* flow) const { ndpi_free_flow(flow); }
};
using FlowPtr = std::unique_ptr<ndpi_flow_struct, FlowDeleter>;

// An nDPI module set up the way camwatch's classifier and ndpiReader do it, with `protos_path`
// loaded when it is not empty. `load_rc` receives ndpi_load_protocols_file's result.
ModulePtr makeModule(const std::string& protos_path, int* load_rc) {
  ModulePtr module(ndpi_init_detection_module(ndpi_no_prefs));
  if (!module) return module;
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(module.get(), &all);
  if (!protos_path.empty()) *load_rc = ndpi_load_protocols_file(module.get(), protos_path.c_str());
  ndpi_finalize_initialization(module.get());
  return module;
}

// What nDPI made of one flow: first from the packets alone, then after giving up with guessing
// enabled, as ndpiReader and camwatch's classifier do when a flow ends undecided.
struct Verdict {
  std::uint16_t master = 0;
  std::uint16_t app = 0;
  std::string name;  // as ndpiReader prints it: "TLS.HikConnect", "DNS", ...
  std::uint16_t final_master = 0;
  std::uint16_t final_app = 0;
  std::string final_name;
  bool guessed = false;
};

std::ostream& operator<<(std::ostream& out, const Verdict& verdict) {
  return out << "DPI " << verdict.name << " (" << verdict.master << "/" << verdict.app
             << "), after giving up " << verdict.final_name << " (" << verdict.final_master << "/"
             << verdict.final_app << (verdict.guessed ? ", guessed)" : ")");
}

class CameraCloudsProtosTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_rc_ = -100;
    module_ = makeModule(kProtosPath, &load_rc_).release();
  }
  static void TearDownTestSuite() {
    ModulePtr owner(module_);
    module_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(module_, nullptr) << "nDPI module could not be created"; }

  // Feeds every frame of one flow to a fresh nDPI flow state, in order, then gives up.
  static Verdict classify(const std::vector<TimedFrame>& frames) {
    // nDPI's own allocator: ndpi_free_flow frees through it, and camwatch may have hooked it.
    FlowPtr flow(static_cast<ndpi_flow_struct*>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT)));
    std::memset(flow.get(), 0, SIZEOF_FLOW_STRUCT);
    ndpi_protocol result{};
    for (const TimedFrame& frame : frames) {
      const unsigned char* l3 = frame.bytes.data() + kL3Offset;
      auto l3_len = static_cast<unsigned short>(frame.bytes.size() - kL3Offset);
      auto time_ms = static_cast<std::uint64_t>(frame.ts / kMillis);
      result = ndpi_detection_process_packet(module_, flow.get(), l3, l3_len, time_ms);
    }
    Verdict verdict;
    char name[64];
    verdict.master = result.master_protocol;
    verdict.app = result.app_protocol;
    verdict.name = ndpi_protocol2name(module_, result, name, sizeof(name));
    std::uint8_t guessed = 0;
    ndpi_protocol final_result = ndpi_detection_giveup(module_, flow.get(), 1, &guessed);
    verdict.final_master = final_result.master_protocol;
    verdict.final_app = final_result.app_protocol;
    verdict.final_name = ndpi_protocol2name(module_, final_result, name, sizeof(name));
    verdict.guessed = guessed != 0;
    return verdict;
  }

  // The camera asks the gateway for `host` (one DNS query, A record).
  static Verdict classifyDnsQuery(const std::string& host) {
    UdpExchangeSpec spec;
    spec.link = kCameraVlan;
    spec.client = kCamera;
    spec.server = kGateway;
    spec.client_port = 40053;
    spec.server_port = 53;
    spec.datagrams = {UdpDatagram{true, testkit::dnsQuery(0x1234, host), 0}};
    return classify(testkit::udpExchange(spec));
  }

  // The camera opens TLS 1.3 to `server` on `port` with `sni` (none when empty): handshake,
  // ClientHello, ServerHello.
  static Verdict classifyTlsTo(const Host& server, const std::string& sni,
                               std::uint16_t port = 443) {
    TcpSessionSpec spec;
    spec.link = kCameraVlan;
    spec.client = kCamera;
    spec.server = server;
    spec.client_port = 40443;
    spec.server_port = port;
    spec.close = false;
    ClientHelloOptions hello;
    hello.sni = sni;
    spec.messages = {TcpMessage{true, testkit::tlsClientHello(hello), 0},
                     TcpMessage{false, testkit::tlsServerHello(true), 0}};
    return classify(testkit::tcpSession(spec));
  }

  static Verdict classifyTls(const std::string& sni, std::uint16_t port = 443) {
    return classifyTlsTo(kCloud, sni, port);
  }

  // One UDP datagram each way between the camera's `client_port` and `server`:`server_port`.
  static Verdict classifyUdp(const Host& server, std::uint16_t client_port,
                             std::uint16_t server_port) {
    UdpExchangeSpec spec;
    spec.link = kCameraVlan;
    spec.client = kCamera;
    spec.server = server;
    spec.client_port = client_port;
    spec.server_port = server_port;
    spec.datagrams = {UdpDatagram{true, testkit::toBytes("camwatch-test-probe-0001"), 0},
                      UdpDatagram{false, testkit::toBytes("camwatch-test-reply-0001"), 0}};
    return classify(testkit::udpExchange(spec));
  }

  static std::uint16_t protocolId(const std::string& name) {
    std::string mutable_name = name;  // nDPI 4.2 takes char*
    int id = ndpi_get_protocol_id(module_, mutable_name.data());
    return id < 0 ? 0 : static_cast<std::uint16_t>(id);
  }

  static inline ndpi_detection_module_struct* module_ = nullptr;
  static inline int load_rc_ = 0;
};

// --- the file itself --------------------------------------------------------------------------

// The rules of the file, as nDPI 4.2's reader needs them (see the file's header): rule lines are
// comma-separated host:"..."/ip:/tcp:/udp: rules and one @Name; comments start in column 0.
TEST(CameraCloudsProtosFileTest, EveryLineIsACommentOrAWellFormedRule) {
  std::string text = readFile(kProtosPath);
  ASSERT_FALSE(text.empty()) << kProtosPath << ": missing or empty";
  // nDPI 4.2 cuts the last character of every line, newline or not.
  EXPECT_EQ(text.back(), '\n') << kProtosPath << ": the last line must end with a newline";

  std::istringstream lines(text);
  std::string line;
  int number = 0;
  int rules = 0;
  std::set<std::string> names;
  while (std::getline(lines, line)) {
    ++number;
    SCOPED_TRACE(kProtosPath + ":" + std::to_string(number));
    // fgets(buffer, 512) in nDPI 4.2: a longer line comes back in pieces, and a piece of a
    // comment that does not start with '#' would be read as a rule.
    EXPECT_LT(line.size(), 511U);
    EXPECT_LE(line.size(), 100U) << "keep to the project's 100 columns";
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(isRuleLine(line)) << "not a rule nDPI 4.2 reads as meant: " << line;
    ++rules;
    names.insert(line.substr(line.rfind('@') + 1));
  }
  EXPECT_GT(rules, 0);
  EXPECT_EQ(names, kCameraCloudProtocols);
}

TEST(CameraCloudsProtosFileTest, RuleLineCheckRejectsWhatNdpiWouldMisread) {
  EXPECT_TRUE(isRuleLine(R"(host:".a.example",ip:192.0.2.0/24,tcp:1-2,udp:3@Name_1)"));
  EXPECT_FALSE(isRuleLine(R"( host:".a.example"@Name)"));       // leading blank
  EXPECT_FALSE(isRuleLine(R"(host:".a.example"@Name # why)"));  // trailing comment
  EXPECT_FALSE(isRuleLine(R"(host:".A.example"@Name)"));        // upper case
  EXPECT_FALSE(isRuleLine(R"(host:"a.example",@Name)"));        // empty rule
  EXPECT_FALSE(isRuleLine(R"(ip:192.0.2/24@Name)"));            // three octets
  EXPECT_FALSE(isRuleLine(R"(tcp:443)"));                       // no name
  EXPECT_FALSE(isRuleLine(R"(tcp:443@1st)"));                   // name starts with a digit
}

TEST_F(CameraCloudsProtosTest, LoadsAndDefinesEveryProtocolAsACustomOne) {
  EXPECT_EQ(load_rc_, 0) << kProtosPath;
  int unused_rc = 0;
  ModulePtr bare = makeModule("", &unused_rc);
  ASSERT_NE(bare, nullptr);
  // Each name is a new protocol, none merged into a built-in one of the same name.
  EXPECT_EQ(ndpi_get_num_supported_protocols(module_),
            ndpi_get_num_supported_protocols(bare.get()) + kCameraCloudProtocols.size());
  for (const std::string& name : kCameraCloudProtocols) {
    std::uint16_t id = protocolId(name);
    EXPECT_TRUE(isCustom(id)) << name << " has id " << id;
    EXPECT_STREQ(ndpi_get_proto_name(module_, id), name.c_str());
  }
}

// --- host names -------------------------------------------------------------------------------

struct HostCase {
  std::string host;
  std::string protocol;
};

std::ostream& operator<<(std::ostream& out, const HostCase& host_case) {
  return out << host_case.host << " -> " << host_case.protocol;
}

// Host names the research names (or, for "*.domain" entries, one real-looking subdomain).
const std::vector<HostCase> kVendorHosts = {
    {"litedev.hik-connect.com", "HikConnect"},
    {"dev.hik-connect.com", "HikConnect"},
    {"apiieu.hik-connect.com", "HikConnect"},
    {"eucas.ezvizlife.com", "HikConnect"},
    {"vtmvirginia.ezvizlife.com", "HikConnect"},
    {"open.ys7.com", "HikConnect"},
    {"apiieu.guardingvision.com", "HikConnect"},
    {"www.hik-online.com", "HikConnect"},
    {"www.easy4ipcloud.com", "Dahua_Imou"},
    {"www.easy4ip.com", "Dahua_Imou"},
    {"openapi-fra.easy4ip.com", "Dahua_Imou"},
    {"openapi.lechange.cn", "Dahua_Imou"},
    {"p2p.amcrestview.com", "Amcrest"},
    {"pub-cfg.secu100.net", "XMEye"},
    {"secu100.net", "XMEye"},
    {"access-dss.secu100.net", "XMEye"},
    {"caps.xmcsrv.net", "XMEye"},
    {"push.umeye.cn", "XMEye"},
    {"p2p.reolink.com", "Reolink"},
    {"p2p1.reolink.com", "Reolink"},
    {"p2p11.reolink.com", "Reolink"},
    {"n-device-api.tplinkcloud.com", "TPLink_Tapo"},
    {"security.iot.i.tplinknbu.com", "TPLink_Tapo"},
    {"use1-api.tplinkra.com", "TPLink_Tapo"},
    {"en.ezcloud.uniview.com", "Uniview_EZCloud"},
    {"dispatchse1-st.axis.com", "Axis_Cloud"},
    {"www0.axiscam.net", "Axis_Cloud"},
    {"ddns.hanwha-security.com", "Hanwha_Wisenet"},
    {"mqtt.prod.wra1.wisenetcloud.com", "Hanwha_Wisenet"},
    {"fw.ring.com", "Ring"},
    {"logsink.devices.nest.com", "GoogleNest"},
    {"webapi.camera.home.nest.com", "GoogleNest"},
    {"VS-cam.u011.immedia-semi.com", "Blink"},
    {"mysecurity.eufylife.com", "Eufy"},
    {"api.wyzecam.com", "Wyze"},
    {"api.us.xiaoyi.com", "Yi_Kami"},
    {"m4.iotcplatform.com", "TUTK_Kalay"},
    {"cm.kalay.net.cn", "TUTK_Kalay"},
    {"hzqd.mycamdns.com", "MyCamDNS_P2P"},
    {"api.auto.mydlink.com", "DLink_mydlink"},
    {"devmng.myzmodo.com", "Zmodo_MeShare"},
    {"myedimax.com", "Edimax"},
    {"cam1234.myfoscam.org", "Foscam"},
};

class CameraCloudsVendorHostTest : public CameraCloudsProtosTest,
                                   public testing::WithParamInterface<HostCase> {};

TEST_P(CameraCloudsVendorHostTest, DnsQueryIsTheVendorProtocol) {
  Verdict verdict = classifyDnsQuery(GetParam().host);
  EXPECT_EQ(verdict.master, NDPI_PROTOCOL_DNS) << verdict;
  EXPECT_EQ(verdict.app, protocolId(GetParam().protocol)) << verdict;
  EXPECT_EQ(verdict.name, "DNS." + GetParam().protocol);
}

TEST_P(CameraCloudsVendorHostTest, TlsSniIsTheVendorProtocol) {
  Verdict verdict = classifyTls(GetParam().host);
  EXPECT_EQ(verdict.master, NDPI_PROTOCOL_TLS) << verdict;
  EXPECT_EQ(verdict.app, protocolId(GetParam().protocol)) << verdict;
  EXPECT_EQ(verdict.name, "TLS." + GetParam().protocol);
}

INSTANTIATE_TEST_SUITE_P(Research, CameraCloudsVendorHostTest, testing::ValuesIn(kVendorHosts),
                         [](const testing::TestParamInfo<HostCase>& param_info) {
                           std::string name = param_info.param.host;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Names no rule may claim: unrelated sites, look-alikes of short patterns (nDPI 4.2 also matches
// a pattern preceded by a single character or by '-', which the leading-dot patterns avoid),
// vendor names outside what the research lists, and servers the cameras use that are not the
// vendor's (Xiongmai's NTP default).
const std::vector<std::string> kOtherHosts = {"www.google.com",
                                              "www.example.com",
                                              "time.windows.com",
                                              "ring.com",
                                              "bring.com",
                                              "key-ring.com",
                                              "fw.ring.com.example",
                                              "xhik-connect.com",
                                              "fake-hik-connect.com",
                                              "hik-connect.com.example.net",
                                              "toys7.com",
                                              "xys7.com",
                                              "p2p12.reolink.com",
                                              "www.reolink.com",
                                              "notmydlink.com",
                                              "axis.com",
                                              "www.axis.com",
                                              "nest.com"};

class CameraCloudsOtherHostTest : public CameraCloudsProtosTest,
                                  public testing::WithParamInterface<std::string> {};

TEST_P(CameraCloudsOtherHostTest, DnsQueryIsNotACameraCloud) {
  Verdict verdict = classifyDnsQuery(GetParam());
  // A DNS query nobody claims is plain "DNS" (nDPI 4.2 reports it as the app protocol).
  EXPECT_TRUE(verdict.master == NDPI_PROTOCOL_DNS || verdict.app == NDPI_PROTOCOL_DNS) << verdict;
  EXPECT_FALSE(isCustom(verdict.master) || isCustom(verdict.app)) << verdict;
  EXPECT_FALSE(isCustom(verdict.final_master) || isCustom(verdict.final_app)) << verdict;
}

TEST_P(CameraCloudsOtherHostTest, TlsSniIsNotACameraCloud) {
  Verdict verdict = classifyTls(GetParam());
  EXPECT_TRUE(verdict.master == NDPI_PROTOCOL_TLS || verdict.app == NDPI_PROTOCOL_TLS) << verdict;
  EXPECT_FALSE(isCustom(verdict.master) || isCustom(verdict.app)) << verdict;
  EXPECT_FALSE(isCustom(verdict.final_master) || isCustom(verdict.final_app)) << verdict;
}

INSTANTIATE_TEST_SUITE_P(Lookalikes, CameraCloudsOtherHostTest, testing::ValuesIn(kOtherHosts),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST_F(CameraCloudsProtosTest, GoogleStaysGoogle) {
  EXPECT_EQ(classifyTls("www.google.com").name, "TLS.Google");
  EXPECT_EQ(classifyDnsQuery("www.google.com").name, "DNS.Google");
}

// --- IP and port rules ------------------------------------------------------------------------

TEST_F(CameraCloudsProtosTest, IpRuleNamesTlsWithoutSniAndGuessesTheRest) {
  const Host dispatcher{kCloud.mac, "195.60.68.121"};  // in 195.60.68.120/31
  const Host axis_ns{kCloud.mac, "195.60.68.30"};
  const Host neighbour{kCloud.mac, "195.60.68.122"};
  const std::uint16_t axis = protocolId("Axis_Cloud");

  // DPI recognises TLS; with no host name to go by, the address names the application.
  Verdict no_sni = classifyTlsTo(dispatcher, "");
  EXPECT_EQ(no_sni.name, "TLS.Axis_Cloud") << no_sni;
  // A host name rule is more specific than an address: the SNI wins.
  EXPECT_EQ(classifyTlsTo(dispatcher, "www.google.com").name, "TLS.Google");
  // Traffic DPI cannot recognise is only named by the address when nDPI gives up and guesses.
  Verdict unknown = classifyUdp(axis_ns, 40000, 40001);
  EXPECT_EQ(unknown.app, 0) << unknown;
  EXPECT_EQ(unknown.final_app, axis) << unknown;
  EXPECT_TRUE(unknown.guessed) << unknown;
  EXPECT_EQ(classifyUdp(dispatcher, 40000, 40001).final_app, axis);
  EXPECT_FALSE(isCustom(classifyUdp(neighbour, 40000, 40001).final_app));
  EXPECT_FALSE(isCustom(classifyTlsTo(neighbour, "").app));
}

TEST_F(CameraCloudsProtosTest, PortRulesOnlyNameFlowsDpiCannotRecognise) {
  struct PortCase {
    std::uint16_t port;
    const char* protocol;
  };
  for (PortCase port_case :
       {PortCase{32100, "CS2_PPPP"}, PortCase{8800, "Dahua_Imou"}, PortCase{6000, "HikConnect"},
        PortCase{6002, "HikConnect"}, PortCase{9765, "Edimax"}, PortCase{15064, "Ring"}}) {
    SCOPED_TRACE(port_case.port);
    Verdict verdict = classifyUdp(kCloud, 40000, port_case.port);
    EXPECT_EQ(verdict.app, 0) << verdict;
    EXPECT_EQ(verdict.final_app, protocolId(port_case.protocol)) << verdict;
    EXPECT_TRUE(verdict.guessed) << verdict;
  }
  // The guess looks at the source port too: a client that happens to send from 32100 is "CS2".
  // That is why no rule names a port inside an ephemeral range.
  EXPECT_EQ(classifyUdp(kCloud, 32100, 40000).final_app, protocolId("CS2_PPPP"));
  EXPECT_FALSE(isCustom(classifyUdp(kCloud, 40000, 40001).final_app));
}

TEST_F(CameraCloudsProtosTest, DpiWinsOverAPortRule) {
  // TCP 6500 is HikConnect's CAS port, but TLS on it is TLS, named by its SNI if at all.
  Verdict google = classifyTls("www.google.com", 6500);
  EXPECT_EQ(google.final_name, "TLS.Google") << google;
  Verdict no_sni = classifyTls("", 6500);
  EXPECT_FALSE(isCustom(no_sni.final_master) || isCustom(no_sni.final_app)) << no_sni;
  EXPECT_EQ(classifyTls("litedev.hik-connect.com", 6500).final_name, "TLS.HikConnect");
}

}  // namespace
}  // namespace camwatch
