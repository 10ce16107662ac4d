// logging_config: `logging:` of the config file, on its own so the logging set-up
// (daemon/runtime/logging.h) takes just this and not the whole Config.
#pragma once

#include <string>

namespace camwatch {

/// `logging:`.
struct LoggingConfig {
  std::string level = "info";   ///< trace, debug, info, warn, error
  std::string format = "text";  ///< text, json
};

}  // namespace camwatch
