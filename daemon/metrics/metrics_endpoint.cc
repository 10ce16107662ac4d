#include "metrics/metrics_endpoint.h"

#include <utility>

namespace camwatch {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(
    const MetricsEndpointOptions& options, const MetricsLayout& layout) {
  auto endpoint = std::make_unique<MetricsEndpoint>();
  MetricsOptions metrics;
  metrics.sensor = options.sensor;
  metrics.max_destinations = options.max_destinations;
  endpoint->registry_ = std::make_unique<MetricsRegistry>(layout, metrics);
  MetricsServerOptions server;
  server.listen = options.listen;
  server.username = options.username;
  server.password_file = options.password_file;
  auto serving = MetricsServer::start(server, *endpoint->registry_);
  if (!serving) return tl::unexpected(serving.error());
  endpoint->server_ = std::move(*serving);
  return endpoint;
}

}  // namespace camwatch
