// MetricsEndpoint: the metrics registry and the HTTP server that serves it, started the same way
// by `camwatch run` (metrics.listen) and `camwatch replay --metrics ADDR:PORT`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <camwatch/metrics.h>
#include <camwatch/result.h>

namespace camwatch {

struct MetricsEndpointOptions {
  std::string listen;                     ///< host:port (port 0: the kernel picks)
  std::string sensor;                     ///< camwatch_sensor_info's label
  std::uint32_t max_destinations = 1000;  ///< egress cardinality cap
  std::string username;                   ///< basic auth; "" = none
  std::string password_file;
};

class MetricsEndpoint {
 public:
  /// The registry for `layout` (workers, captures and sinks, known once the driver started
  /// them), served at options.listen. Fails naming the address.
  static Result<std::unique_ptr<MetricsEndpoint>> start(const MetricsEndpointOptions& options,
                                                        const MetricsLayout& layout);

  MetricsRegistry& registry() { return *registry_; }
  /// http://host:port/metrics
  std::string url() const { return server_ ? server_->url() : std::string(); }
  /// Stops serving; the registry stays readable.
  void stopServing() { server_.reset(); }

 private:
  std::unique_ptr<MetricsRegistry> registry_;
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace camwatch
