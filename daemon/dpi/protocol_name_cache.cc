#include "dpi/protocol_name_cache.h"

namespace camwatch {

std::string_view ProtocolNameCache::protocolName(const ProtocolNames& names,
                                                 const FlowClassification& dpi) {
  // nDPI's name depends on the two ids only (not on the category).
  const std::uint32_t key = (std::uint32_t{dpi.master_protocol} << 16U) | dpi.app_protocol;
  auto found = names_.find(key);
  if (found == names_.end()) found = names_.emplace(key, names.protocolName(dpi)).first;
  return found->second;
}

}  // namespace camwatch
