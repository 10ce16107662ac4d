// The syslog sink type: `ident`, `facility` and `socket` (relative to the config file), checked
// here so the error points at the line; SyslogAlertSink::open checks them again.
#include "sinks/sink_registry.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/syslog/syslog_message.h"
#include "sinks/syslog/unix_datagram_sender.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

constexpr std::string_view kKeys[] = {"ident", "facility", "socket"};

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
  if (options.socket.empty() || options.socket.size() > UnixDatagramSender::kMaxPathLength) {
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
  check(reader, node, path, options);
  return std::make_shared<const TypedSinkOptions<SyslogSinkOptions>>(std::move(options));
}

void describe(const SinkOptions* options, std::string& yaml) {
  const auto& settings = dynamic_cast<const TypedSinkOptions<SyslogSinkOptions>&>(*options).value;
  yaml += fmt::format("      ident: {}\n      facility: {}\n      socket: '{}'\n", settings.ident,
                      settings.facility, settings.socket);
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
