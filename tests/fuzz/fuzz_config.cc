// fuzz_config: arbitrary bytes as a config file through loadConfig() (YAML parse, every section,
// policy validation) and, when it loads, describeConfig() of the result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "config/config.h"
#include "memfd_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace camwatch;
  const fuzz::MemFile file("fuzz-config.yaml", data, size);
  auto config = loadConfig(file.path());
  if (!config) {
    // Errors name the file they are about.
    if (config.error().message.find(file.path()) == std::string::npos) std::abort();
    return 0;
  }
  (void)describeConfig(*config);
  return 0;
}
