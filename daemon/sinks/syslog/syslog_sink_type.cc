// The syslog sink type: `ident`, `facility`, `transport` (unix, udp, tcp, tls), `socket`
// (relative to the config file) or `server` (HOST:PORT), `format` (rfc3164, rfc5424),
// `enterprise_number` and the TLS files, checked here so the error points at the line;
// SyslogAlertSink::open checks them again.
#include <charconv>

#include "sinks/sink_registry.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/syslog/syslog_message.h"
#include "sinks/syslog/unix_datagram_sender.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

constexpr std::string_view kKeys[] = {
    "ident",  "facility",          "socket",      "transport",     "server",
    "format", "enterprise_number", "tls_ca_file", "tls_cert_file", "tls_key_file"};

// "HOST:PORT" or "HOST" ("[::1]:6514" for IPv6); the port defaults to the transport's.
void readServer(const ConfigReader& reader, const YAML::Node& node, const std::string& key,
                SyslogSinkOptions& options) {
  const std::string text = reader.scalar(node, key);
  std::string host = text;
  std::string port;
  if (const std::size_t bracket = text.rfind(']'); !text.empty() && text.front() == '[') {
    host = text.substr(1, bracket == std::string::npos ? std::string::npos : bracket - 1);
    if (bracket != std::string::npos && bracket + 1 < text.size() && text[bracket + 1] == ':') {
      port = text.substr(bracket + 2);
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) {
      reader.fail(node, key,
                  fmt::format("'{}': an IPv6 address goes in brackets: [::1]:6514", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned number = 0;
  if (!port.empty()) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
      reader.fail(node, key, fmt::format("'{}': the port is not 1 to 65535", text));
    }
  }
  if (host.empty()) reader.fail(node, key, fmt::format("'{}': no host", text));
  options.server_host = host;
  options.server_port = static_cast<std::uint16_t>(number);
}

void check(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
           const SyslogSinkOptions& options) {
  if (!syslogFacilityCode(options.facility)) {
    reader.fail(node["facility"], path + ".facility",
                fmt::format("unknown syslog facility '{}'; expected {}", options.facility,
                            kSyslogFacilityNames));
  }
  if (auto problem = syslogIdentProblem(options.ident)) {
    reader.fail(node["ident"], path + ".ident", *problem);
  }
  if (options.transport == SyslogTransport::kUnix &&
      (options.socket.empty() || options.socket.size() > UnixDatagramSender::kMaxPathLength)) {
    reader.fail(node["socket"], path + ".socket",
                fmt::format("'{}': a unix socket path has 1 to {} characters", options.socket,
                            UnixDatagramSender::kMaxPathLength));
  }
}

std::shared_ptr<const SinkOptions> read(const ConfigReader& reader, const YAML::Node& node,
                                        const std::string& path) {
  SyslogSinkOptions options;
  if (node["ident"]) options.ident = reader.scalar(node["ident"], path + ".ident");
  if (node["facility"]) options.facility = reader.scalar(node["facility"], path + ".facility");
  if (node["socket"]) options.socket = reader.filePath(node["socket"], path + ".socket");
  if (node["transport"]) {
    options.transport = reader.named<SyslogTransport>(
        node["transport"], path + ".transport",
        [](const std::string& text) -> std::optional<SyslogTransport> {
          for (const SyslogTransport transport : {SyslogTransport::kUnix, SyslogTransport::kUdp,
                                                  SyslogTransport::kTcp, SyslogTransport::kTls}) {
            if (text == syslogTransportName(transport)) return transport;
          }
          return std::nullopt;
        },
        "unix, udp, tcp or tls");
  }
  const bool network = options.transport != SyslogTransport::kUnix;
  if (node["server"]) {
    if (!network) {
      reader.fail(node["server"], path + ".server",
                  "set transport: udp, tcp or tls to use a server");
    }
    readServer(reader, node["server"], path + ".server", options);
  } else if (network) {
    reader.fail(node, path + ".server", "missing: the syslog collector's HOST:PORT");
  }
  if (network && options.server_port == 0) {
    options.server_port = options.transport == SyslogTransport::kTls ? 6514 : 514;
  }
  options.rfc5424 = network;
  if (node["format"]) {
    options.rfc5424 = reader.named<bool>(
        node["format"], path + ".format",
        [](const std::string& text) -> std::optional<bool> {
          if (text == "rfc5424") return true;
          if (text == "rfc3164") return false;
          return std::nullopt;
        },
        "rfc3164 or rfc5424");
    if (network && !options.rfc5424) {
      reader.fail(node["format"], path + ".format",
                  "a network transport sends RFC 5424 (the structured data a SIEM files)");
    }
  }
  if (node["enterprise_number"]) {
    options.enterprise_number = static_cast<std::uint32_t>(reader.unsignedValue(
        node["enterprise_number"], path + ".enterprise_number", 1, 0xffffffffU));
  }
  for (const auto& [key, value] : {std::pair{"tls_ca_file", &options.tls_ca_file},
                                   std::pair{"tls_cert_file", &options.tls_cert_file},
                                   std::pair{"tls_key_file", &options.tls_key_file}}) {
    if (!node[key]) continue;
    if (options.transport != SyslogTransport::kTls) {
      reader.fail(node[key], path + "." + key, "only for transport: tls");
    }
    *value = reader.filePath(node[key], path + "." + key);
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    reader.fail(node, path + ".tls_cert_file",
                "a client certificate needs tls_cert_file and tls_key_file");
  }
  check(reader, node, path, options);
  return std::make_shared<const TypedSinkOptions<SyslogSinkOptions>>(std::move(options));
}

void describe(const SinkOptions* options, std::string& yaml) {
  const auto& settings = dynamic_cast<const TypedSinkOptions<SyslogSinkOptions>&>(*options).value;
  yaml += fmt::format("      ident: {}\n      facility: {}\n", settings.ident, settings.facility);
  if (settings.transport == SyslogTransport::kUnix) {
    yaml += fmt::format("      socket: '{}'\n      transport: unix\n      format: {}\n",
                        settings.socket, settings.rfc5424 ? "rfc5424" : "rfc3164");
  } else {
    const bool v6 = settings.server_host.find(':') != std::string::npos;
    yaml += fmt::format("      transport: {}\n      server: '{}{}{}:{}'\n      format: rfc5424\n",
                        syslogTransportName(settings.transport), v6 ? "[" : "",
                        settings.server_host, v6 ? "]" : "", settings.server_port);
  }
  yaml += fmt::format("      enterprise_number: {}\n", settings.enterprise_number);
  for (const auto& [key, value] : {std::pair{"tls_ca_file", &settings.tls_ca_file},
                                   std::pair{"tls_cert_file", &settings.tls_cert_file},
                                   std::pair{"tls_key_file", &settings.tls_key_file}}) {
    if (!value->empty()) yaml += fmt::format("      {}: '{}'\n", key, *value);
  }
}

Result<AlertSinkPtr> make(const SinkSpec& sink, SinkContext& /*context*/) {
  SyslogSinkOptions options = sinkOptions<SyslogSinkOptions>(sink);
  options.name = sink.name;
  auto opened = SyslogAlertSink::open(options);
  if (!opened) return tl::unexpected(opened.error());
  return AlertSinkPtr(std::move(*opened));
}

}  // namespace

extern const SinkType kSyslogSinkType = {"syslog", kKeys, read, describe, make};

}  // namespace camwatch
