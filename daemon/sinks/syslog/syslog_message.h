// Syslog message format for a local syslog daemon (rsyslog, syslog-ng, journald on /dev/log):
// "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", the RFC 3164 style glibc's syslog(3) writes to /dev/log
// (no hostname: the receiver adds its own). Pure functions, no I/O: the sink picks the format and
// the transport separately, so a network transport (RFC 5424 over UDP/TCP/TLS, issue 21) can add
// its own format beside this one.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include <camwatch/alert.h>

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

}  // namespace camwatch
