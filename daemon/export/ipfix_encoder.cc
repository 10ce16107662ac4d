#include "export/ipfix_encoder.h"

#include <arpa/inet.h>
#include <fixbuf/public.h>

#include <cstddef>
#include <cstring>

#include <fmt/format.h>

namespace camwatch {
namespace {

// What libfixbuf reads a record from: the internal template below, element for element and byte
// for byte (libfixbuf lays an internal template out without padding, so the members are in
// falling size order and the struct has no hole).
struct WireRecord {
  std::uint64_t flowStartMilliseconds;
  std::uint64_t flowEndMilliseconds;
  std::uint64_t packetDeltaCount;
  std::uint64_t octetDeltaCount;
  std::uint64_t reversePacketDeltaCount;
  std::uint64_t reverseOctetDeltaCount;
  std::uint8_t sourceIPv6Address[16];
  std::uint8_t destinationIPv6Address[16];
  std::uint32_t sourceIPv4Address;  // host order, as libfixbuf takes ipv4Address values
  std::uint32_t destinationIPv4Address;
  std::uint32_t bgpDestinationAsNumber;
  std::uint16_t sourceTransportPort;
  std::uint16_t destinationTransportPort;
  std::uint16_t vlanId;
  std::uint16_t dot1qCustomerVlanId;
  std::uint16_t tcpControlBits;
  std::uint16_t reverseTcpControlBits;
  std::uint8_t sourceMacAddress[6];
  std::uint8_t protocolIdentifier;
  std::uint8_t flowEndReason;
  fbVarfield_t applicationName;
  fbVarfield_t enterprise[std::size(kIpfixEnterpriseElements)];  // in that table's order
};
static_assert(offsetof(WireRecord, applicationName) == 112, "no padding before the strings");
static_assert(sizeof(WireRecord) ==
                  112 + sizeof(fbVarfield_t) * (1 + std::size(kIpfixEnterpriseElements)),
              "no padding in the record libfixbuf reads");

// Spec flags: which template an element belongs to (0: both).
constexpr std::uint32_t kIpv4Only = 1;
constexpr std::uint32_t kIpv6Only = 2;

// The elements of WireRecord in its order; the enterprise ones follow (enterpriseSpecs()).
const fbInfoElementSpec_t kStandardSpecs[] = {
    {const_cast<char*>("flowStartMilliseconds"), 8, 0},
    {const_cast<char*>("flowEndMilliseconds"), 8, 0},
    {const_cast<char*>("packetDeltaCount"), 8, 0},
    {const_cast<char*>("octetDeltaCount"), 8, 0},
    {const_cast<char*>("reversePacketDeltaCount"), 8, 0},
    {const_cast<char*>("reverseOctetDeltaCount"), 8, 0},
    {const_cast<char*>("sourceIPv6Address"), 16, kIpv6Only},
    {const_cast<char*>("destinationIPv6Address"), 16, kIpv6Only},
    {const_cast<char*>("sourceIPv4Address"), 4, kIpv4Only},
    {const_cast<char*>("destinationIPv4Address"), 4, kIpv4Only},
    {const_cast<char*>("bgpDestinationAsNumber"), 4, 0},
    {const_cast<char*>("sourceTransportPort"), 2, 0},
    {const_cast<char*>("destinationTransportPort"), 2, 0},
    {const_cast<char*>("vlanId"), 2, 0},
    {const_cast<char*>("dot1qCustomerVlanId"), 2, 0},
    {const_cast<char*>("tcpControlBits"), 2, 0},
    {const_cast<char*>("reverseTcpControlBits"), 2, 0},
    {const_cast<char*>("sourceMacAddress"), 6, 0},
    {const_cast<char*>("protocolIdentifier"), 1, 0},
    {const_cast<char*>("flowEndReason"), 1, 0},
    {const_cast<char*>("applicationName"), FB_IE_VARLEN, 0},
};

std::string takeError(GError*& error) {
  std::string message = error != nullptr ? error->message : "unknown libfixbuf error";
  g_clear_error(&error);
  return message;
}

fbVarfield_t varfield(const std::string& text) {
  return fbVarfield_t{text.size(), reinterpret_cast<std::uint8_t*>(const_cast<char*>(text.data()))};
}

}  // namespace

// libfixbuf's objects: the model outlives the session; the buffer owns session and exporter.
struct IpfixEncoder::Fixbuf {
  fbInfoModel_t* model = nullptr;
  fBuf_t* buffer = nullptr;
  fbSession_t* session = nullptr;  // the buffer's
  fbExporter_t* exporter = nullptr;
  std::vector<std::uint8_t> out;  // where libfixbuf writes each message
  std::vector<fbInfoElement_t> elements;
  std::vector<fbInfoElementSpec_t> specs;

  ~Fixbuf() {
    if (buffer != nullptr) {
      fBufFree(buffer);  // the session and the exporter with it
    } else {
      if (session != nullptr) fbSessionFree(session);
    }
    if (model != nullptr) fbInfoModelFree(model);
  }
};

namespace {

// A template of the specs whose flags `flags` covers. @return null and `error` on failure.
fbTemplate_t* makeTemplate(fbInfoModel_t* model, std::vector<fbInfoElementSpec_t>& specs,
                           std::uint32_t flags, std::string& error) {
  fbTemplate_t* tmpl = fbTemplateAlloc(model);
  GError* failure = nullptr;
  if (!fbTemplateAppendSpecArray(tmpl, specs.data(), flags, &failure)) {
    error = takeError(failure);
    fbTemplateFreeUnused(tmpl);
    return nullptr;
  }
  return tmpl;
}

}  // namespace

Result<std::unique_ptr<IpfixEncoder>> IpfixEncoder::create(const IpfixEncoderOptions& options) {
  auto fixbuf = std::make_unique<Fixbuf>();
  fixbuf->model = fbInfoModelAlloc();
  for (const IpfixEnterpriseElement& element : kIpfixEnterpriseElements) {
    // What FB_IE_INIT_FULL would give, without its C casts.
    fbInfoElement_t info{};
    info.ref.name = element.name;
    info.ent = options.enterprise_number;
    info.num = element.id;
    info.len = FB_IE_VARLEN;
    info.flags = FB_IE_F_NONE;
    info.type = FB_STRING;
    fixbuf->elements.push_back(info);
  }
  fixbuf->elements.push_back(fbInfoElement_t{});  // the end, as FB_IE_NULL
  fbInfoModelAddElementArray(fixbuf->model, fixbuf->elements.data());
  fixbuf->specs.assign(std::begin(kStandardSpecs), std::end(kStandardSpecs));
  for (const IpfixEnterpriseElement& element : kIpfixEnterpriseElements) {
    fixbuf->specs.push_back({const_cast<char*>(element.name), FB_IE_VARLEN, 0});
  }
  fixbuf->specs.push_back(fbInfoElementSpec_t{nullptr, 0, 0});  // the end, as FB_IESPEC_NULL

  fixbuf->session = fbSessionAlloc(fixbuf->model);
  fbSessionSetDomain(fixbuf->session, options.observation_domain);
  // The internal template has every element; each external one the elements of its family.
  const struct {
    bool internal;
    std::uint16_t id;
    std::uint32_t flags;
  } kTemplates[] = {{true, kIpfixTemplateIpv4, UINT32_MAX},
                    {false, kIpfixTemplateIpv4, kIpv4Only},
                    {false, kIpfixTemplateIpv6, kIpv6Only}};
  for (const auto& wanted : kTemplates) {
    std::string error;
    fbTemplate_t* tmpl = makeTemplate(fixbuf->model, fixbuf->specs, wanted.flags, error);
    GError* failure = nullptr;
    if (tmpl == nullptr || fbSessionAddTemplate(fixbuf->session, wanted.internal ? TRUE : FALSE,
                                                wanted.id, tmpl, &failure) == 0) {
      if (tmpl != nullptr) error = takeError(failure);
      return makeError(fmt::format("IPFIX template {}: libfixbuf: {}", wanted.id, error));
    }
  }
  fixbuf->out.resize(options.max_message_bytes);
  fixbuf->exporter = fbExporterAllocBuffer(fixbuf->out.data(), options.max_message_bytes);
  fixbuf->buffer = fBufAllocForExport(fixbuf->session, fixbuf->exporter);
  // Manual mode: a full message is ours to send (fBufAppend says so) before the next begins.
  fBufSetAutomaticMode(fixbuf->buffer, FALSE);
  GError* failure = nullptr;
  if (!fBufSetInternalTemplate(fixbuf->buffer, kIpfixTemplateIpv4, &failure)) {
    return makeError("IPFIX internal template: libfixbuf: " + takeError(failure));
  }
  return std::unique_ptr<IpfixEncoder>(new IpfixEncoder(std::move(fixbuf)));
}

IpfixEncoder::IpfixEncoder(std::unique_ptr<Fixbuf> fixbuf) : fixbuf_(std::move(fixbuf)) {}

IpfixEncoder::~IpfixEncoder() = default;

Result<void> IpfixEncoder::emit() {
  GError* failure = nullptr;
  if (!fBufEmit(fixbuf_->buffer, &failure)) {
    return makeError("IPFIX message: libfixbuf: " + takeError(failure));
  }
  const std::size_t length = fbExporterGetMsgLen(fixbuf_->exporter);
  if (length > 0) {
    messages_.push_back(IpfixMessage{
        std::vector<std::uint8_t>(fixbuf_->out.begin(),
                                  fixbuf_->out.begin() + static_cast<std::ptrdiff_t>(length)),
        records_in_message_});
  }
  records_in_message_ = 0;
  return {};
}

Result<void> IpfixEncoder::exportTemplates() {
  if (auto flushed = flush(); !flushed) return flushed;
  // libfixbuf starts a template set only in automatic mode; both templates fit one message.
  fBufSetAutomaticMode(fixbuf_->buffer, TRUE);
  GError* failure = nullptr;
  const bool exported = fbSessionExportTemplates(fixbuf_->session, &failure) != FALSE;
  fBufSetAutomaticMode(fixbuf_->buffer, FALSE);
  if (!exported) return makeError("IPFIX templates: libfixbuf: " + takeError(failure));
  return emit();
}

Result<void> IpfixEncoder::append(const IpfixFlow& flow) {
  WireRecord record{};
  record.flowStartMilliseconds = flow.start_ms;
  record.flowEndMilliseconds = flow.end_ms;
  record.packetDeltaCount = flow.packets;
  record.octetDeltaCount = flow.bytes;
  record.reversePacketDeltaCount = flow.reverse_packets;
  record.reverseOctetDeltaCount = flow.reverse_bytes;
  if (flow.ipv6) {
    std::memcpy(record.sourceIPv6Address, flow.source.data(), 16);
    std::memcpy(record.destinationIPv6Address, flow.destination.data(), 16);
  } else {
    std::uint32_t address = 0;
    std::memcpy(&address, flow.source.data(), 4);
    record.sourceIPv4Address = ntohl(address);
    std::memcpy(&address, flow.destination.data(), 4);
    record.destinationIPv4Address = ntohl(address);
  }
  record.bgpDestinationAsNumber = flow.destination_asn;
  record.sourceTransportPort = flow.source_port;
  record.destinationTransportPort = flow.destination_port;
  record.vlanId = flow.vlan;
  record.dot1qCustomerVlanId = flow.vlan_inner;
  record.tcpControlBits = flow.tcp_flags;
  record.reverseTcpControlBits = flow.reverse_tcp_flags;
  std::memcpy(record.sourceMacAddress, flow.source_mac.data(), 6);
  record.protocolIdentifier = flow.protocol;
  record.flowEndReason = flow.end_reason;
  record.applicationName = varfield(flow.application);
  const std::string* const texts[] = {
      &flow.camera_name,      &flow.camera_group,    &flow.vendor_cloud,
      &flow.country,          &flow.as_organization, &flow.network_operator,
      &flow.operator_country, &flow.verdict,         &flow.rule,
      &flow.hostname};
  static_assert(std::size(texts) == std::size(kIpfixEnterpriseElements));
  for (std::size_t i = 0; i < std::size(texts); ++i) record.enterprise[i] = varfield(*texts[i]);

  GError* failure = nullptr;
  if (!fBufSetExportTemplate(fixbuf_->buffer, flow.ipv6 ? kIpfixTemplateIpv6 : kIpfixTemplateIpv4,
                             &failure)) {
    return makeError("IPFIX export template: libfixbuf: " + takeError(failure));
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fBufAppend(fixbuf_->buffer, reinterpret_cast<std::uint8_t*>(&record), sizeof record,
                   &failure)) {
      ++records_in_message_;
      return {};
    }
    // The message is full (or holds templates only): send it, and the record starts the next.
    if (!g_error_matches(failure, FB_ERROR_DOMAIN, FB_ERROR_EOM)) break;
    g_clear_error(&failure);
    if (records_in_message_ == 0) {
      // After a template set libfixbuf wants a new message, though exportTemplates() sent the
      // last one: this emit sends nothing (the buffer still holds that message: not again).
      if (!fBufEmit(fixbuf_->buffer, &failure)) break;
      continue;
    }
    if (auto emitted = emit(); !emitted) return emitted;
  }
  return makeError("IPFIX record: libfixbuf: " + takeError(failure));
}

Result<void> IpfixEncoder::flush() {
  if (records_in_message_ == 0) return {};
  return emit();
}

std::vector<IpfixMessage> IpfixEncoder::takeMessages() { return std::exchange(messages_, {}); }

}  // namespace camwatch
