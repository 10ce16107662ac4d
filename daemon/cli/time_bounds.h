// time_bounds: reads `camwatch replay --from/--to TIME`, RFC 3339 or seconds since the epoch,
// into a Timestamp; errors name the option and the value.
#pragma once

#include <string>

#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch::cli {

/// `text` as given to `option` ("--from" or "--to"), in nanoseconds since the epoch.
Result<Timestamp> parseTimeBound(const std::string& option, const std::string& text);

}  // namespace camwatch::cli
