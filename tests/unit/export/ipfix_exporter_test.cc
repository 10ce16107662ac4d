// IpfixExporter over UDP to a socket of the test's own, read by hand as RFC 7011 lays a message
// out (16-byte header: version 10, length, export time, sequence number, observation domain;
// then sets: id, length): the templates come first and again every template_refresh, and a
// record goes in a data set of the IPv4 template, counted as exported.
#include "export/ipfix_exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

using namespace std::chrono_literals;

// A UDP socket on a loopback port the kernel picked.
class UdpReceiver {
 public:
  UdpReceiver() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~UdpReceiver() { ::close(fd_); }
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;
  std::uint16_t port() const { return port_; }

  // The next datagram, or empty after `timeout`.
  std::vector<std::uint8_t> next(std::chrono::milliseconds timeout) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return {};
    std::vector<std::uint8_t> datagram(65536);
    const ssize_t n = ::recv(fd_, datagram.data(), datagram.size(), 0);
    datagram.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return datagram;
  }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

std::uint16_t be16(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8U) | bytes[at + 1]);
}
std::uint32_t be32(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  return (std::uint32_t{be16(bytes, at)} << 16U) | be16(bytes, at + 2);
}

// The set ids of one message, after checking its header. Empty when it is not IPFIX.
std::vector<std::uint16_t> setIds(const std::vector<std::uint8_t>& message, std::uint32_t domain) {
  if (message.size() < 16 || be16(message, 0) != 10 || be16(message, 2) != message.size() ||
      be32(message, 12) != domain) {
    return {};
  }
  std::vector<std::uint16_t> ids;
  for (std::size_t at = 16; at + 4 <= message.size();) {
    ids.push_back(be16(message, at));
    const std::uint16_t length = be16(message, at + 2);
    if (length < 4) return {};
    at += length;
  }
  return ids;
}

// Names nothing: the exporter's naming is the integration tests' business.
class NoNames final : public ProtocolNames {
 public:
  std::string protocolName(const FlowClassification&) const override { return "Unknown"; }
  std::string_view protocolIdName(std::uint16_t) const override { return "Unknown"; }
  std::string_view categoryName(const FlowClassification&) const override { return ""; }
};

TEST(IpfixExporterTest, UdpSendsTemplatesAtOnceAndAgainOnScheduleAndRecordsInDataSets) {
  UdpReceiver collector;
  ASSERT_NE(collector.port(), 0);
  IpfixExportOptions options;
  options.collector = IpfixCollector{"127.0.0.1", collector.port(), IpfixTransport::kUdp};
  options.template_refresh = 1s;
  options.observation_domain = 77;
  std::vector<std::string> log;
  auto started =
      IpfixExporter::start(options, [&log](const std::string& line) { log.push_back(line); });
  ASSERT_TRUE(started) << started.error().message;
  IpfixExporter& exporter = **started;

  // Set id 2 is a template set (RFC 7011 3.3.2): at once, with nothing to export yet.
  const auto first = collector.next(3000ms);
  ASSERT_EQ(setIds(first, 77), std::vector<std::uint16_t>{2});

  FlowRecord flow;
  flow.key.addr_a = *IpAddress::parse("192.168.10.21");
  flow.key.addr_b = *IpAddress::parse("203.0.113.7");
  flow.key.port_a = 40000;
  flow.key.port_b = 443;
  flow.key.ip_proto = 6;
  flow.first_seen = 1'768'467'600 * kNanosPerSecond;
  flow.last_seen = flow.first_seen + kNanosPerSecond;
  flow.packets = {3, 2};
  flow.bytes = {300, 200};
  exporter.add(flow, NamingSnapshot{}, NoNames{});
  // The record: a data set of the IPv4 template (256).
  const auto data = collector.next(3000ms);
  ASSERT_EQ(setIds(data, 77), std::vector<std::uint16_t>{kIpfixTemplateIpv4});

  // The templates again about a second after the first ones, and again after that.
  const auto refresh = std::chrono::steady_clock::now();
  ASSERT_EQ(setIds(collector.next(3000ms), 77), std::vector<std::uint16_t>{2});
  ASSERT_EQ(setIds(collector.next(3000ms), 77), std::vector<std::uint16_t>{2});
  EXPECT_GE(std::chrono::steady_clock::now() - refresh, 900ms);
  exporter.stop();
  EXPECT_EQ(exporter.counts().exported.load(), 1U);
  EXPECT_EQ(exporter.counts().dropped.load(), 0U);
  EXPECT_EQ(exporter.counts().errors.load(), 0U);
  EXPECT_TRUE(log.empty());
}

}  // namespace
}  // namespace camwatch
