// ProtocolNameCache with the real nDPI 4.2: the names are ndpiReader's ("TLS", "DNS.HikConnect",
// "Unknown"), formatted once per (master, app) pair: a second flow of a pair gets the same text
// back, whatever its category.
#include "dpi/protocol_name_cache.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <ndpi/ndpi_api.h>

#include <camwatch/dpi.h>

#include "dpi/ndpi_classifier.h"

namespace camwatch {
namespace {

const std::string kProtosPath = std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-clouds.protos";

std::unique_ptr<NdpiClassifier> makeClassifier(const DpiConfig& config = {}) {
  auto classifier = NdpiClassifier::create(config);
  if (!classifier) {
    ADD_FAILURE() << classifier.error().message;
    return nullptr;
  }
  return std::move(*classifier);
}

FlowClassification pair(std::uint16_t master, std::uint16_t app, std::uint16_t category = 0) {
  FlowClassification dpi;
  dpi.final = true;
  dpi.master_protocol = master;
  dpi.app_protocol = app;
  dpi.category = category;
  return dpi;
}

TEST(ProtocolNameCacheTest, NamesAsTheClassifierDoesOncePerPair) {
  DpiConfig config;
  config.protocols_file = kProtosPath;
  auto classifier = makeClassifier(config);
  ASSERT_NE(classifier, nullptr);
  ProtocolNameCache cache;

  const std::string_view tls = cache.protocolName(*classifier, pair(0, NDPI_PROTOCOL_TLS));
  EXPECT_EQ(tls, "TLS");
  EXPECT_EQ(cache.protocolName(*classifier, pair(0, 0)), "Unknown");
  EXPECT_EQ(cache.protocolName(*classifier, pair(NDPI_PROTOCOL_HTTP, 0)), "HTTP");
  EXPECT_EQ(cache.size(), 3U);

  // A custom protocol (camera-clouds.protos) under DNS, its id looked up by name.
  FlowClassification hik = pair(NDPI_PROTOCOL_DNS, 0);
  for (std::uint16_t id = 0; id < 1024; ++id) {
    if (classifier->protocolIdName(id) == "HikConnect") hik.app_protocol = id;
  }
  ASSERT_NE(hik.app_protocol, 0);
  EXPECT_EQ(cache.protocolName(*classifier, hik), "DNS.HikConnect");
  EXPECT_EQ(cache.protocolName(*classifier, hik), classifier->protocolName(hik));
  EXPECT_EQ(cache.size(), 4U);

  // The same pair again, in another category: the same text, no new entry.
  const std::string_view again =
      cache.protocolName(*classifier, pair(0, NDPI_PROTOCOL_TLS, NDPI_PROTOCOL_CATEGORY_MEDIA));
  EXPECT_EQ(again.data(), tls.data());
  EXPECT_EQ(again, "TLS");
  EXPECT_EQ(classifier->protocolName(pair(0, NDPI_PROTOCOL_TLS, NDPI_PROTOCOL_CATEGORY_MEDIA)),
            "TLS");
  EXPECT_EQ(cache.size(), 4U);
}

}  // namespace
}  // namespace camwatch
