// The alert as JSON (the schema in docs/alerts.md), which is also the on-disk spool format: the
// one public header that includes nlohmann, so the value types stay free of it and only the code
// that writes or reads alerts (sinks, spool, replay --alerts) pays for the JSON library.
#pragma once

#include <nlohmann/json.hpp>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace camwatch {

/// The alert as JSON. Any thread.
nlohmann::json alertToJson(const Alert& alert);

/// Reads what alertToJson() wrote: alertFromJson(alertToJson(a)) == a for every alert whose
/// dedup_key is set (alertToJson() writes dedupKey(a) when it is empty).
/// @return the alert, or an error naming the first missing or malformed field.
Result<Alert> alertFromJson(const nlohmann::json& json);

}  // namespace camwatch
