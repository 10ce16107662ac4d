// service: what `camwatch run` needs to behave as a systemd service. SystemdNotifier tells the
// service manager when the sensor is ready, reloading, stopping or still alive (watchdog);
// dropPrivileges gives up root once the capture handles are open, keeping only the capabilities
// needed to reopen a capture when an interface comes back.
#pragma once

#include <linux/capability.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/result.h>

namespace camwatch {

/// sd_notify(3) messages to the service manager. Every method is a no-op returning success when
/// NOTIFY_SOCKET is not set (started by hand, or by a unit that is not Type=notify), so callers
/// need no "under systemd?" checks. The environment is left as it is: the watchdog keeps
/// reading it. sd_notify opens a socket per call, so any thread may call any method.
class SystemdNotifier {
 public:
  /// READY=1 with STATUS=`status`: capture handles open and privileges dropped.
  /// @return nothing, or an error naming the message and the socket ("sd_notify(READY=1) to
  /// '/run/systemd/notify': <strerror>").
  Result<void> ready(std::string_view status) const;
  /// STATUS=`status`: the one line `systemctl status camwatch` shows.
  Result<void> status(std::string_view status) const;
  /// WATCHDOG=1; send it every watchdogInterval() / 2.
  Result<void> watchdog() const;
  /// STOPPING=1 with STATUS=`status`: draining flows and alerts after SIGTERM.
  Result<void> stopping(std::string_view status) const;
  /// RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC now, which systemd 253+ requires for
  /// Type=notify-reload and older versions ignore): a SIGHUP reload started. Follow with
  /// reloaded(), which systemd expects even when the reload failed and the old config stays.
  Result<void> reloading() const;
  /// READY=1 (and STATUS=`status` unless empty): the reload is over.
  Result<void> reloaded(std::string_view status = {}) const;

  /// WATCHDOG_USEC when the watchdog is on for this process (WATCHDOG_PID, if set, is ours);
  /// zero when it is off.
  std::chrono::microseconds watchdogInterval() const;
  /// True when NOTIFY_SOCKET is set, i.e. a service manager listens.
  bool active() const;
};

/// What dropPrivileges does; the defaults fit `camwatch run`.
struct PrivilegeDropOptions {
  /// The user to become when started as root (`sensor.user`); empty = keep the current user.
  /// Ignored when not started as root: systemd's User= already chose it.
  std::string user;
  /// Capabilities (CAP_* numbers) still needed afterwards: reopening a capture handle when an
  /// interface comes back takes CAP_NET_RAW (and CAP_NET_ADMIN for some drivers). Those not
  /// held when dropPrivileges is called are left out, not an error.
  std::vector<int> keep_capabilities = {CAP_NET_RAW, CAP_NET_ADMIN};
};

/// Who the process is after dropPrivileges, for the log.
struct PrivilegeDropReport {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  ///< the name of `uid`, or its number when it has no passwd entry
  /// Effective capabilities afterwards, lower-case names in bit order ("cap_net_raw").
  std::vector<std::string> capabilities;
  /// Started as root with no user to become: nothing was changed. The caller should warn
  /// ("running as root; set sensor.user").
  bool still_root = false;
};

/// Gives up what the live sensor no longer needs once its capture handles are open. Call it on
/// the control thread before starting any other thread: capabilities are per thread in the
/// kernel and the raw capset/prctl calls change only the calling thread (glibc's setuid changes
/// them all), so a thread started earlier would keep root's capabilities.
///
/// As root with `user` set: switches to the user and its groups, keeping only the kept
/// capabilities (permitted = effective = kept, inheritable and ambient empty), drops every other
/// capability from the bounding set and sets no_new_privs. Not as root (systemd User= with
/// AmbientCapabilities=): stays the same user and reduces the capabilities the same way. As root
/// with no user: changes nothing and reports still_root.
/// @return the resulting credentials, or an error naming the step, the user and errno
/// ("setuid(998) for user 'camwatch': Operation not permitted"; "user 'x' does not exist").
/// After an error the process may be half-dropped and should exit.
Result<PrivilegeDropReport> dropPrivileges(const PrivilegeDropOptions& options);

/// "uid=998(camwatch) gid=998 caps=cap_net_admin,cap_net_raw" from getuid/getgid and CapEff in
/// /proc/self/status ("caps=none" when there are none), for the start-up log line.
std::string describeCredentials();

/// The lower-case name of capability `capability` ("cap_net_raw"), or "cap_<n>" for numbers
/// newer than this build knows.
std::string capabilityName(int capability);

}  // namespace camwatch
