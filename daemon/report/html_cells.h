// The small pieces every section of the HTML report (report_html.h) writes: escaping, table
// cells, times and durations, byte counts, camera labels and the anchors that link a finding, a
// chart or an alert to a camera. Every function escapes what it puts in: DNS names, SNI and
// camera names are written by the devices being watched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/alert.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

/// `text` with & < > " ' replaced by character references: safe in element content and in
/// quoted attribute values.
std::string htmlEscape(std::string_view text);
inline std::string esc(std::string_view text) { return htmlEscape(text); }

/// RFC 3339 UTC to the millisecond, as the report writes times.
std::string timeText(Timestamp ts);
/// "42 s", "5 min", "3 h", "2 d": a span in its largest whole unit.
std::string durationText(Timestamp span);

/// `<td>` cells: a byte count (humanBytes, the exact count in data-v for the sorting script and
/// in a tooltip), a number, escaped text, a time.
std::string bytesCell(std::uint64_t bytes);
std::string numberCell(std::uint64_t value);
std::string textCell(std::string_view text);
std::string timeCell(Timestamp ts);

/// The filter box above a sortable table (the page's script wires it; without the script it
/// does nothing and the table is still whole).
std::string filterBox(std::string_view table_id);

/// "Alibaba (CN)": the operator and its parent's home country; empty when not listed.
std::string operatorText(const std::string& name, const std::string& country);

/// "192.168.10.21 cam-lobby": the address, then the inventory name when there is one.
std::string cameraLabel(const AlertCamera& camera);
/// The id of a camera's place in the camera list: "camera-192.168.10.21". Every camera seen has
/// one, ranked or folded into a quiet line, so findings, charts and alerts can link to it.
std::string cameraAnchor(const IpAddress& camera);
/// `<a href="#camera-...">label</a>`, escaped.
std::string cameraLink(const AlertCamera& camera);

/// One fact of a definition list (`<dl class="facts">`).
void appendFact(std::string& html, std::string_view name, const std::string& value);

/// "1 camera", "3 cameras": a count with its noun; `plural` defaults to `singular` + "s".
std::string countText(std::uint64_t count, std::string_view singular, std::string_view plural = {});

}  // namespace camwatch
