// capture_args: what `camwatch replay` makes of its CAPTURE arguments (glob patterns expanded,
// each file once) and whether its --metrics value is an address to serve or a file to write.
#pragma once

#include <string>
#include <vector>

#include <camwatch/result.h>

namespace camwatch::cli {

/// True when `text` is ADDR:PORT (a ':' and a port number after the last one), else a file name.
bool isListenAddress(const std::string& text);

/// The capture files `args` name, glob patterns expanded; an error for a pattern that matches
/// nothing.
Result<std::vector<std::string>> expandCaptureArguments(const std::vector<std::string>& args);

}  // namespace camwatch::cli
