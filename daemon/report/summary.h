// report/: what a replay writes of its flows: flow JSON lines, the digest they are folded into,
// the summary (JSON and text), the destinations CSV and the HTML report (and its PDF).
//
// The replay summary: totals, flows by L4 and VLAN, top talkers, what could not be decoded.
// Built once after the replay from its result; the JSON form is deterministic (no wall-clock
// figures), the text form adds the run time and rate for the person at the terminal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "report/replay_outcome.h"

namespace camwatch {

inline constexpr std::size_t kTopTalkers = 10;
inline constexpr std::size_t kTopDestinations = 15;
inline constexpr std::size_t kTextAlertLines = 100;   ///< alerts the text summary lists
inline constexpr std::size_t kTextCameraLines = 100;  ///< cameras the text summary lists
inline constexpr std::size_t kTextBeaconLines = 100;  ///< beacons the text summary lists

nlohmann::ordered_json summaryToJson(const ReplayOutcome& result);

/// "1.5 MiB": bytes in binary units with one decimal ("512 B" below a KiB).
std::string humanBytes(std::uint64_t bytes);

/// replay's progress line on a terminal, without line ends: "123456 packets  98.1 MiB  42% of
/// input  81234 packets/s" (no percentage when the input's size is unknown).
std::string progressLine(const InputProgress& progress, double elapsed_seconds);

/// The peak resident set size of this process (VmHWM in /proc/self/status), in bytes; 0 when it
/// cannot be read.
std::uint64_t peakResidentBytes();

/// A readable multi-line summary for the terminal, from the result and its summaryToJson().
std::string summaryToText(const ReplayOutcome& result, const nlohmann::ordered_json& summary);

}  // namespace camwatch
