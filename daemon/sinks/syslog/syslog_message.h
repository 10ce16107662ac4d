// Syslog message formats. For a local syslog daemon (rsyslog, syslog-ng, journald on /dev/log):
// "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", the RFC 3164 style glibc's syslog(3) writes to /dev/log
// (no hostname: the receiver adds its own). For a SIEM over the network: RFC 5424
// "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" ...] MSG" with the alert
// as structured data, and RFC 6587's octet-counted framing for TCP and TLS. Pure functions, no
// I/O: the sink picks the format and the transport separately.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/packet.h>

namespace camwatch {

/// The facilities a sink may use, for error messages.
inline constexpr std::string_view kSyslogFacilityNames = "daemon, user, local0..local7";

/// The facility code of "daemon" (3), "user" (1), "local0".."local7" (16..23); nullopt for any
/// other name (kern, auth, mail... are not for an application's alerts).
std::optional<int> syslogFacilityCode(std::string_view name);

/// critical → 2 (crit), warning → 4 (warning), info → 6 (info).
int syslogSeverityCode(Severity severity);

/// What is wrong with `ident` as a syslog TAG, or nullopt when it is fine: 1 to 32 characters
/// (RFC 3164's limit) of letters, digits, '_', '.' and '-'. Receivers end the program name at
/// ':', '[', '/' or a space, so anything else would be cut or misread.
std::optional<std::string> syslogIdentProblem(std::string_view ident);

/// "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" with PRI = facility * 8 + severity and `local_time` the
/// sender's local time (as syslog(3) stamps it). Month names are English whatever the locale:
/// receivers parse only those.
std::string formatLocalSyslogMessage(int facility, int severity, const std::tm& local_time,
                                     std::string_view ident, long pid, std::string_view text);

/// An RFC 5424 PARAM-VALUE: '"', '\\' and ']' escaped with a backslash (section 6.3.3).
std::string escapeSdParamValue(std::string_view value);

/// One SD-ELEMENT, `[sd_id name="value" ...]`, the values escaped; parameters in the given order.
std::string structuredDataElement(std::string_view sd_id,
                                  const std::vector<std::pair<std::string, std::string>>& params);

/// The alert as camwatch's SD-ELEMENT `[camwatch@PEN kind="..." severity="..." ...]`
/// (docs/alerts.md lists the parameters): what a SIEM files as fields without parsing the JSON.
std::string alertStructuredData(const Alert& alert, std::uint32_t enterprise_number);

/// An RFC 5424 HOSTNAME, APP-NAME or MSGID: printable ASCII without spaces, at most `max`
/// characters ("-", the nil value, when nothing is left).
std::string syslogHeaderField(std::string_view text, std::size_t max);

/// "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG" with TIMESTAMP `utc` in RFC 3339 UTC
/// with microseconds ("2026-01-15T09:00:00.123456Z"). The header fields are taken as they are
/// (syslogHeaderField() makes them valid).
std::string formatRfc5424Message(int facility, int severity, Timestamp utc,
                                 std::string_view hostname, std::string_view app_name, long pid,
                                 std::string_view msgid, std::string_view structured_data,
                                 std::string_view text);

/// RFC 6587 section 3.4.1 (and RFC 5425 for TLS) octet counting: "LENGTH SP MESSAGE".
std::string octetCountedFrame(std::string_view message);

}  // namespace camwatch
