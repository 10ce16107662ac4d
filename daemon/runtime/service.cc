#include "runtime/service.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace camwatch {
namespace {

// ---- sd_notify ----------------------------------------------------------------------------

// A newline in a status text would start another assignment (a status naming an interface
// "eth0\nREADY=1" must not say READY), so status texts are kept to one line.
std::string oneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

Result<void> notify(const std::string& message) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return {};
  // 0: leave NOTIFY_SOCKET and WATCHDOG_* in the environment for the next message.
  const int rc = sd_notify(0, message.c_str());
  if (rc < 0) {
    const std::string first = message.substr(0, message.find('\n'));
    return makeError(fmt::format("sd_notify({}) to '{}': {}", first, socket, std::strerror(-rc)));
  }
  return {};
}

std::string withStatus(std::string message, std::string_view status) {
  if (!status.empty()) message += "\nSTATUS=" + oneLine(status);
  return message;
}

// ---- capabilities ---------------------------------------------------------------------------

// Names as capabilities(7) and /proc spell them, indexed by CAP_* number (up to Linux 5.9's
// CAP_CHECKPOINT_RESTORE, the last one the Debian 12 kernel headers know).
constexpr std::array<const char*, 41> kCapabilityNames = {"cap_chown",
                                                          "cap_dac_override",
                                                          "cap_dac_read_search",
                                                          "cap_fowner",
                                                          "cap_fsetid",
                                                          "cap_kill",
                                                          "cap_setgid",
                                                          "cap_setuid",
                                                          "cap_setpcap",
                                                          "cap_linux_immutable",
                                                          "cap_net_bind_service",
                                                          "cap_net_broadcast",
                                                          "cap_net_admin",
                                                          "cap_net_raw",
                                                          "cap_ipc_lock",
                                                          "cap_ipc_owner",
                                                          "cap_sys_module",
                                                          "cap_sys_rawio",
                                                          "cap_sys_chroot",
                                                          "cap_sys_ptrace",
                                                          "cap_sys_pacct",
                                                          "cap_sys_admin",
                                                          "cap_sys_boot",
                                                          "cap_sys_nice",
                                                          "cap_sys_resource",
                                                          "cap_sys_time",
                                                          "cap_sys_tty_config",
                                                          "cap_mknod",
                                                          "cap_lease",
                                                          "cap_audit_write",
                                                          "cap_audit_control",
                                                          "cap_setfcap",
                                                          "cap_mac_override",
                                                          "cap_mac_admin",
                                                          "cap_syslog",
                                                          "cap_wake_alarm",
                                                          "cap_block_suspend",
                                                          "cap_audit_read",
                                                          "cap_perfmon",
                                                          "cap_bpf",
                                                          "cap_checkpoint_restore"};
static_assert(CAP_NET_ADMIN == 12 && CAP_NET_RAW == 13 && CAP_SYS_ADMIN == 21);
static_assert(CAP_LAST_CAP < static_cast<int>(kCapabilityNames.size()));

// Capability sets as 64-bit masks (bit n = CAP n), as capget/capset V3 split over two words.
struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
};

constexpr std::uint64_t bit(int capability) { return std::uint64_t{1} << capability; }

// `context` (" for user 'camwatch'") goes into error messages after the call's name.
Result<CapabilitySets> getCapabilities(const std::string& context) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (syscall(SYS_capget, &header, data.data()) != 0) {
    return makeError(fmt::format("capget{}: {}", context, std::strerror(errno)));
  }
  auto join = [](std::uint32_t low, std::uint32_t high) { return std::uint64_t{high} << 32 | low; };
  CapabilitySets sets;
  sets.effective = join(data[0].effective, data[1].effective);
  sets.permitted = join(data[0].permitted, data[1].permitted);
  sets.inheritable = join(data[0].inheritable, data[1].inheritable);
  return sets;
}

Result<void> setCapabilities(const CapabilitySets& sets, const std::string& context) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  auto split = [&](std::uint64_t mask, std::uint32_t __user_cap_data_struct::*field) {
    data[0].*field = static_cast<std::uint32_t>(mask & 0xffffffffU);
    data[1].*field = static_cast<std::uint32_t>(mask >> 32);
  };
  split(sets.effective, &__user_cap_data_struct::effective);
  split(sets.permitted, &__user_cap_data_struct::permitted);
  split(sets.inheritable, &__user_cap_data_struct::inheritable);
  if (syscall(SYS_capset, &header, data.data()) != 0) {
    return makeError(fmt::format("capset{}: {}", context, std::strerror(errno)));
  }
  return {};
}

std::vector<std::string> capabilityNames(std::uint64_t mask) {
  std::vector<std::string> names;
  for (int capability = 0; capability < 64; ++capability) {
    if ((mask & bit(capability)) != 0) names.push_back(capabilityName(capability));
  }
  return names;
}

// Removes every capability but `keep` from the bounding set, so no later execve (or file
// capability) can bring one back. Needs CAP_SETPCAP: without it (a non-root start) the first
// drop fails with EPERM and the set stays as systemd's CapabilityBoundingSet= left it.
Result<void> limitBoundingSet(std::uint64_t keep, const std::string& context) {
  for (int capability = 0; capability < 64; ++capability) {
    const int held = prctl(PR_CAPBSET_READ, capability, 0, 0, 0);
    if (held < 0) break;  // EINVAL: past the last capability this kernel knows
    if (held == 0 || (keep & bit(capability)) != 0) continue;
    if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) {
      const int error = errno;
      if (error == EPERM) return {};
      return makeError(fmt::format("dropping {} from the bounding set{}: {}",
                                   capabilityName(capability), context, std::strerror(error)));
    }
  }
  return {};
}

// Permitted = effective = `keep` (of what is permitted now), inheritable and ambient empty:
// nothing beyond `keep` stays usable, and nothing passes to a program the daemon might run.
Result<void> reduceCapabilities(std::uint64_t keep, const std::string& context) {
  auto current = getCapabilities(context);
  if (!current) return makeError(current.error().message);
  CapabilitySets reduced;
  reduced.permitted = current->permitted & keep;
  reduced.effective = reduced.permitted;
  reduced.inheritable = 0;
  if (auto set = setCapabilities(reduced, context); !set) return makeError(set.error().message);
  // EINVAL: a kernel before 4.3 has no ambient set, so there is nothing to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return makeError(
        fmt::format("clearing the ambient capabilities{}: {}", context, std::strerror(errno)));
  }
  return {};
}

Result<void> setNoNewPrivileges(const std::string& context) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return makeError(
        fmt::format("prctl(PR_SET_NO_NEW_PRIVS){}: {}", context, std::strerror(errno)));
  }
  return {};
}

// ---- users ----------------------------------------------------------------------------------

struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// getpwnam_r/getpwuid_r with a buffer that grows until the entry fits. `rc` 0 and no result
// means there is no such entry.
template <typename Lookup>
Result<std::optional<UserEntry>> lookupUser(Lookup lookup) {
  std::vector<char> buffer(4096);
  for (;;) {
    passwd entry{};
    passwd* found = nullptr;
    const int rc = lookup(&entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (std::size_t{1} << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) return makeError(std::strerror(rc));
    if (found == nullptr) return std::optional<UserEntry>{};
    return std::optional<UserEntry>{UserEntry{found->pw_name, found->pw_uid, found->pw_gid}};
  }
}

Result<UserEntry> userNamed(const std::string& name) {
  auto user = lookupUser([&](passwd* entry, char* buffer, std::size_t size, passwd** found) {
    return getpwnam_r(name.c_str(), entry, buffer, size, found);
  });
  if (!user) {
    return makeError(fmt::format("looking up user '{}': {}", name, user.error().message));
  }
  if (!user->has_value()) return makeError(fmt::format("user '{}' does not exist", name));
  return **user;
}

// The name of `uid`, or its number when there is no passwd entry (a DynamicUser= or a
// container without /etc/passwd entries).
std::string nameOfUid(uid_t uid) {
  auto user = lookupUser([&](passwd* entry, char* buffer, std::size_t size, passwd** found) {
    return getpwuid_r(uid, entry, buffer, size, found);
  });
  if (user && user->has_value()) return (*user)->name;
  return std::to_string(uid);
}

// The field `name` ("CapEff") of /proc/self/status as a mask; nullopt when it cannot be read.
std::optional<std::uint64_t> procStatusMask(std::string_view name) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':') {
      try {
        return std::stoull(line.substr(name.size() + 1), nullptr, 16);
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

Result<PrivilegeDropReport> reportNow() {
  PrivilegeDropReport report;
  report.uid = getuid();
  report.gid = getgid();
  report.user = nameOfUid(report.uid);
  auto sets = getCapabilities("");
  if (!sets) return makeError(sets.error().message);
  report.capabilities = capabilityNames(sets->effective);
  report.still_root = geteuid() == 0;
  return report;
}

}  // namespace

// ---- SystemdNotifier ------------------------------------------------------------------------

Result<void> SystemdNotifier::ready(std::string_view status) const {
  return notify(withStatus("READY=1", status));
}

Result<void> SystemdNotifier::status(std::string_view status) const {
  return notify("STATUS=" + oneLine(status));
}

Result<void> SystemdNotifier::watchdog() const { return notify("WATCHDOG=1"); }

Result<void> SystemdNotifier::stopping(std::string_view status) const {
  return notify(withStatus("STOPPING=1", status));
}

Result<void> SystemdNotifier::reloading() const {
  if (!active()) return {};
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U +
                    static_cast<std::uint64_t>(now.tv_nsec) / 1'000U;
  return notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
}

Result<void> SystemdNotifier::reloaded(std::string_view status) const {
  return notify(withStatus("READY=1", status));
}

std::chrono::microseconds SystemdNotifier::watchdogInterval() const {
  std::uint64_t usec = 0;
  // 0: keep WATCHDOG_USEC/WATCHDOG_PID set, so asking again gives the same answer.
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
}

bool SystemdNotifier::active() const {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && *socket != '\0';
}

// ---- privileges -----------------------------------------------------------------------------

std::string capabilityName(int capability) {
  if (capability >= 0 && static_cast<std::size_t>(capability) < kCapabilityNames.size()) {
    return kCapabilityNames[static_cast<std::size_t>(capability)];
  }
  return fmt::format("cap_{}", capability);
}

Result<PrivilegeDropReport> dropPrivileges(const PrivilegeDropOptions& options) {
  std::uint64_t keep = 0;
  for (int capability : options.keep_capabilities) {
    if (capability < 0 || capability > 63) {
      return makeError(fmt::format("keep_capabilities: {} is not a capability number", capability));
    }
    keep |= bit(capability);
  }

  const bool root = geteuid() == 0;
  if (root && options.user.empty()) return reportNow();  // still_root: the caller warns

  if (!root) {
    // systemd already chose the user (User=) and gave the capabilities (AmbientCapabilities=):
    // keep the user, reduce the capabilities.
    const std::string context = fmt::format(" for uid {}", getuid());
    if (auto bounded = limitBoundingSet(keep, context); !bounded) {
      return makeError(bounded.error().message);
    }
    if (auto reduced = reduceCapabilities(keep, context); !reduced) {
      return makeError(reduced.error().message);
    }
    if (auto nnp = setNoNewPrivileges(context); !nnp) return makeError(nnp.error().message);
    return reportNow();
  }

  auto user = userNamed(options.user);
  if (!user) return makeError(user.error().message);
  const std::string context = fmt::format(" for user '{}'", user->name);
  // "setuid(998) for user 'camwatch': Operation not permitted"; errno is read first, before
  // anything formatted can change it.
  auto failed = [&](std::string_view call, const auto& arguments) {
    const int error = errno;
    return makeError(fmt::format("{}({}){}: {}", call, arguments, context, std::strerror(error)));
  };

  // The bounding set first: dropping from it needs CAP_SETPCAP, gone once the uid changes.
  if (auto bounded = limitBoundingSet(keep, context); !bounded) {
    return makeError(bounded.error().message);
  }
  if (initgroups(user->name.c_str(), user->gid) != 0) return failed("initgroups", user->gid);
  // Without KEEPCAPS setuid would empty the permitted set, and the kept capabilities with it.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return failed("prctl", "PR_SET_KEEPCAPS, 1");
  if (setgid(user->gid) != 0) return failed("setgid", user->gid);
  if (setuid(user->uid) != 0) return failed("setuid", user->uid);
  // setuid as root sets the real, effective and saved uid; make sure none is left at 0.
  uid_t real = 0;
  uid_t effective = 0;
  uid_t saved = 0;
  if (getresuid(&real, &effective, &saved) != 0) return failed("getresuid", "");
  if (user->uid != 0 && (real == 0 || effective == 0 || saved == 0)) {
    return makeError(fmt::format("setuid({}){}: a uid is still 0", user->uid, context));
  }
  if (auto reduced = reduceCapabilities(keep, context); !reduced) {
    return makeError(reduced.error().message);
  }
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return failed("prctl", "PR_SET_KEEPCAPS, 0");
  if (auto nnp = setNoNewPrivileges(context); !nnp) return makeError(nnp.error().message);
  return reportNow();
}

std::string describeCredentials() {
  const uid_t uid = getuid();
  std::string caps = "?";
  if (auto effective = procStatusMask("CapEff")) {
    caps =
        *effective == 0 ? "none" : fmt::format("{}", fmt::join(capabilityNames(*effective), ","));
  }
  return fmt::format("uid={}({}) gid={} caps={}", uid, nameOfUid(uid), getgid(), caps);
}

}  // namespace camwatch
