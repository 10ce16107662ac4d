// SystemdNotifier: the exact datagrams a service manager would receive on NOTIFY_SOCKET.
// dropPrivileges: run in a forked child (a process cannot get root back), which checks its own
// credentials in /proc/self/status and reports the first failed check as its exit code.
#include "runtime/service.h"

#include <arpa/inet.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

// ---- SystemdNotifier --------------------------------------------------------------------------

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A bound AF_UNIX datagram socket in a fresh directory: what systemd listens on.
class NotifySocket {
 public:
  NotifySocket() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cw-notify-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path_.c_str());
    // A test that went wrong fails on a timeout instead of hanging.
    timeval timeout{};
    timeout.tv_sec = 2;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  /// The next datagram, or "<recv failed: ...>".
  std::string receive() const {
    std::array<char, 4096> buffer{};
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::string("<recv failed: ") + std::strerror(errno) + ">";
    return std::string(buffer.data(), static_cast<std::size_t>(n));
  }
  /// True when no datagram is waiting.
  bool empty() const {
    char byte = 0;
    return recv(fd_, &byte, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
  }

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

TEST(SystemdNotifierTest, SendsTheExactMessagesToNotifySocket) {
  NotifySocket listener;
  ASSERT_TRUE(listener.ok()) << std::strerror(errno);
  ScopedEnv socket("NOTIFY_SOCKET", listener.path());
  SystemdNotifier notifier;
  EXPECT_TRUE(notifier.active());

  auto sent = notifier.ready("watching eth1, eth2");
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=watching eth1, eth2");
  ASSERT_TRUE(notifier.status("42 cameras"));
  EXPECT_EQ(listener.receive(), "STATUS=42 cameras");
  ASSERT_TRUE(notifier.watchdog());
  EXPECT_EQ(listener.receive(), "WATCHDOG=1");
  ASSERT_TRUE(notifier.stopping("draining alerts"));
  EXPECT_EQ(listener.receive(), "STOPPING=1\nSTATUS=draining alerts");
  ASSERT_TRUE(notifier.reloaded());
  EXPECT_EQ(listener.receive(), "READY=1");
  ASSERT_TRUE(notifier.reloaded("reloaded config"));
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=reloaded config");
  EXPECT_TRUE(listener.empty());
  // Still set: the next watchdog ping needs it.
  EXPECT_STREQ(std::getenv("NOTIFY_SOCKET"), listener.path().c_str());
}

TEST(SystemdNotifierTest, ReloadingCarriesTheMonotonicClock) {
  NotifySocket listener;
  ASSERT_TRUE(listener.ok()) << std::strerror(errno);
  ScopedEnv socket("NOTIFY_SOCKET", listener.path());
  auto nowUsec = [] {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U +
           static_cast<std::uint64_t>(now.tv_nsec) / 1'000U;
  };
  const std::uint64_t before = nowUsec();
  ASSERT_TRUE(SystemdNotifier().reloading());
  const std::uint64_t after = nowUsec();
  const std::string message = listener.receive();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(message.rfind(prefix, 0), 0U) << message;
  const std::uint64_t usec = std::stoull(message.substr(prefix.size()));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

TEST(SystemdNotifierTest, StatusTextStaysOnOneLine) {
  NotifySocket listener;
  ASSERT_TRUE(listener.ok()) << std::strerror(errno);
  ScopedEnv socket("NOTIFY_SOCKET", listener.path());
  ASSERT_TRUE(SystemdNotifier().status("eth0\nREADY=1"));
  EXPECT_EQ(listener.receive(), "STATUS=eth0 READY=1");
}

TEST(SystemdNotifierTest, WatchdogIntervalComesFromWatchdogUsecForThisProcess) {
  ScopedEnv usec("WATCHDOG_USEC", "30000000");
  {
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
    EXPECT_EQ(SystemdNotifier().watchdogInterval(), std::chrono::seconds(30));
    // Asking does not consume the variables.
    EXPECT_EQ(SystemdNotifier().watchdogInterval(), std::chrono::seconds(30));
  }
  {
    // Meant for another process (the parent of a fork): not ours to ping.
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid() + 1));
    EXPECT_EQ(SystemdNotifier().watchdogInterval(), std::chrono::microseconds(0));
  }
}

TEST(SystemdNotifierTest, WithoutNotifySocketEverythingIsANoOp) {
  ScopedEnv socket("NOTIFY_SOCKET", std::nullopt);
  ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  ScopedEnv pid("WATCHDOG_PID", std::nullopt);
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.active());
  EXPECT_TRUE(notifier.ready("ready"));
  EXPECT_TRUE(notifier.status("status"));
  EXPECT_TRUE(notifier.watchdog());
  EXPECT_TRUE(notifier.stopping("stopping"));
  EXPECT_TRUE(notifier.reloading());
  EXPECT_TRUE(notifier.reloaded());
  EXPECT_EQ(notifier.watchdogInterval(), std::chrono::microseconds(0));
}

TEST(SystemdNotifierTest, AnUnreachableSocketIsAnErrorNamingIt) {
  ScopedEnv socket("NOTIFY_SOCKET", "/nonexistent/camwatch/notify");
  auto sent = SystemdNotifier().watchdog();
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("sd_notify(WATCHDOG=1) to '/nonexistent/camwatch/notify'"),
            std::string::npos)
      << sent.error().message;
}

// ---- dropPrivileges ---------------------------------------------------------------------------

constexpr std::uint64_t kNetRaw = std::uint64_t{1} << CAP_NET_RAW;

// The field `name` ("CapEff") of /proc/self/status: a hex mask for the Cap* fields, a number
// for NoNewPrivs.
std::optional<std::uint64_t> statusField(const std::string& name, int base = 16) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name + ":", 0) == 0)
      return std::stoull(line.substr(name.size() + 1), nullptr, base);
  }
  return std::nullopt;
}

bool canOpenPacketSocket(int* error) {
  const int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) {
    *error = errno;
    return false;
  }
  ::close(fd);
  return true;
}

struct ChildOutcome {
  int exit_code = -1;   ///< the failed check's number, 0 when all passed
  std::string message;  ///< what the child wrote (dropPrivileges' error, say)
};

// Runs `body` in a forked child and returns its exit code. `body` gets a function to send text
// back to the parent. The child never returns into GoogleTest: it ends with _exit.
ChildOutcome runInChild(
    const std::function<int(const std::function<void(const std::string&)>&)>& body) {
  ChildOutcome outcome;
  int fds[2];
  if (pipe(fds) != 0) return outcome;
  const pid_t child = fork();
  if (child < 0) return outcome;
  if (child == 0) {
    ::close(fds[0]);
    auto say = [&](const std::string& text) {
      if (write(fds[1], text.data(), text.size()) < 0) _exit(100);
    };
    _exit(body(say));
  }
  ::close(fds[1]);
  std::array<char, 512> buffer{};
  ssize_t n = 0;
  while ((n = read(fds[0], buffer.data(), buffer.size())) > 0) {
    outcome.message.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  if (waitpid(child, &status, 0) == child && WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

// The checks a child makes, by exit code; the parent prints the name of the one that failed.
enum Check : int {
  kPassed = 0,
  kDropFailed,
  kWrongUid,
  kWrongEuid,
  kWrongGid,
  kSupplementaryGroupsKept,
  kWrongCapEff,
  kWrongCapPrm,
  kCapInhNotEmpty,
  kCapAmbNotEmpty,
  kSysAdminInBoundingSet,
  kNoNewPrivsNotSet,
  kPacketSocketFailed,
  kPacketSocketOpened,
  kPacketSocketNotEperm,
  kSetuidRootSucceeded,
  kWrongReport,
  kChildSetupFailed,
  kDropSucceeded,
  kNumChecks,
};
constexpr std::array<const char*, kNumChecks> kCheckNames = {
    "passed",
    "dropPrivileges returned an error",
    "getuid() is not the target user",
    "geteuid() is not the target user",
    "getgid() is not the target group",
    "supplementary groups other than the user's are left",
    "CapEff is not exactly the kept capabilities",
    "CapPrm is not exactly the kept capabilities",
    "CapInh is not empty",
    "CapAmb is not empty",
    "CapBnd still has CAP_SYS_ADMIN",
    "NoNewPrivs is not set",
    "socket(AF_PACKET, SOCK_RAW) failed with CAP_NET_RAW kept",
    "socket(AF_PACKET, SOCK_RAW) succeeded without CAP_NET_RAW",
    "socket(AF_PACKET, SOCK_RAW) failed with an error other than EPERM",
    "setuid(0) succeeded after the drop",
    "the PrivilegeDropReport does not describe the result",
    "the child could not set up its starting credentials",
    "dropPrivileges succeeded where it should fail",
};

std::string describe(const ChildOutcome& outcome) {
  const std::string name = outcome.exit_code >= 0 && outcome.exit_code < kNumChecks
                               ? kCheckNames[static_cast<std::size_t>(outcome.exit_code)]
                               : "child crashed or wrote nothing";
  return "check " + std::to_string(outcome.exit_code) + ": " + name +
         "; child said: " + outcome.message;
}

// The common end-state checks: uid/gid, capabilities = `caps`, nothing inheritable or ambient.
int checkCredentials(uid_t uid, gid_t gid, std::uint64_t caps) {
  if (getuid() != uid) return kWrongUid;
  if (geteuid() != uid) return kWrongEuid;
  if (getgid() != gid || getegid() != gid) return kWrongGid;
  if (statusField("CapEff") != caps) return kWrongCapEff;
  if (statusField("CapPrm") != caps) return kWrongCapPrm;
  if (statusField("CapInh") != 0U) return kCapInhNotEmpty;
  if (statusField("CapAmb") != 0U) return kCapAmbNotEmpty;
  if (statusField("NoNewPrivs", 10) != 1U) return kNoNewPrivsNotSet;
  return kPassed;
}

struct Nobody {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Nobody> nobody() {
  const passwd* entry = getpwnam("nobody");
  if (entry == nullptr) return std::nullopt;
  return Nobody{entry->pw_uid, entry->pw_gid};
}

class DropPrivilegesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "dropPrivileges tests switch users: run them as root";
    auto found = nobody();
    if (!found) GTEST_SKIP() << "no 'nobody' user in /etc/passwd";
    nobody_ = *found;
  }
  Nobody nobody_;
};

TEST_F(DropPrivilegesTest, RootBecomesTheUserKeepingOnlyCapNetRaw) {
  const Nobody target = nobody_;
  const ChildOutcome outcome = runInChild([&](const auto& say) {
    // Start with a supplementary group that nobody is not in; it must go.
    const gid_t extra = 4;
    if (setgroups(1, &extra) != 0) return static_cast<int>(kChildSetupFailed);
    auto report = dropPrivileges({"nobody", {CAP_NET_RAW}});
    if (!report) {
      say(report.error().message);
      return static_cast<int>(kDropFailed);
    }
    if (const int failed = checkCredentials(target.uid, target.gid, kNetRaw); failed != kPassed) {
      return failed;
    }
    std::array<gid_t, 64> groups{};
    const int count = getgroups(static_cast<int>(groups.size()), groups.data());
    for (int i = 0; i < count; ++i) {
      if (groups[static_cast<std::size_t>(i)] == extra)
        return static_cast<int>(kSupplementaryGroupsKept);
    }
    const auto bounding = statusField("CapBnd");
    if (!bounding || (*bounding & (std::uint64_t{1} << CAP_SYS_ADMIN)) != 0) {
      return static_cast<int>(kSysAdminInBoundingSet);
    }
    int error = 0;
    if (!canOpenPacketSocket(&error)) {
      say(std::strerror(error));
      return static_cast<int>(kPacketSocketFailed);
    }
    if (setuid(0) == 0) return static_cast<int>(kSetuidRootSucceeded);
    if (report->uid != target.uid || report->gid != target.gid || report->user != "nobody" ||
        report->capabilities != std::vector<std::string>{"cap_net_raw"} || report->still_root) {
      return static_cast<int>(kWrongReport);
    }
    say(describeCredentials());
    return static_cast<int>(kPassed);
  });
  EXPECT_EQ(outcome.exit_code, 0) << describe(outcome);
  EXPECT_EQ(outcome.message, "uid=" + std::to_string(target.uid) + "(nobody) gid=" +
                                 std::to_string(target.gid) + " caps=cap_net_raw");
}

TEST_F(DropPrivilegesTest, UnknownUserIsAnErrorNamingIt) {
  const std::string missing = "cw-no-such-user-" + std::to_string(getpid());
  // In a child all the same: if the lookup were skipped, the test process would lose root.
  const ChildOutcome outcome = runInChild([&](const auto& say) {
    auto report = dropPrivileges({missing, {CAP_NET_RAW}});
    if (report) return static_cast<int>(kDropSucceeded);
    say(report.error().message);
    return getuid() == 0 ? static_cast<int>(kPassed) : static_cast<int>(kWrongUid);
  });
  EXPECT_EQ(outcome.exit_code, 0) << describe(outcome);
  EXPECT_EQ(outcome.message, "user '" + missing + "' does not exist");
}

TEST_F(DropPrivilegesTest, NoKeptCapabilitiesMeansNoPacketSocket) {
  const Nobody target = nobody_;
  const ChildOutcome outcome = runInChild([&](const auto& say) {
    auto report = dropPrivileges({"nobody", {}});
    if (!report) {
      say(report.error().message);
      return static_cast<int>(kDropFailed);
    }
    if (const int failed = checkCredentials(target.uid, target.gid, 0); failed != kPassed) {
      return failed;
    }
    if (!report->capabilities.empty()) return static_cast<int>(kWrongReport);
    int error = 0;
    if (canOpenPacketSocket(&error)) return static_cast<int>(kPacketSocketOpened);
    if (error != EPERM) {
      say(std::strerror(error));
      return static_cast<int>(kPacketSocketNotEperm);
    }
    say(describeCredentials());
    return static_cast<int>(kPassed);
  });
  EXPECT_EQ(outcome.exit_code, 0) << describe(outcome);
  EXPECT_EQ(outcome.message, "uid=" + std::to_string(target.uid) +
                                 "(nobody) gid=" + std::to_string(target.gid) + " caps=none");
}

TEST_F(DropPrivilegesTest, NotRootKeepsTheUserAndReducesCapabilities) {
  const Nobody target = nobody_;
  const ChildOutcome outcome = runInChild([&](const auto& say) {
    // What systemd's User=nobody with AmbientCapabilities= leaves: a non-root process holding
    // capabilities (here all of root's, CAP_NET_RAW also inheritable and ambient).
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || setgroups(0, nullptr) != 0 ||
        setresgid(target.gid, target.gid, target.gid) != 0 ||
        setresuid(target.uid, target.uid, target.uid) != 0) {
      return static_cast<int>(kChildSetupFailed);
    }
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
    if (syscall(SYS_capget, &header, data.data()) != 0) return static_cast<int>(kChildSetupFailed);
    for (auto& word : data) word.effective = word.permitted;
    data[0].inheritable = 1U << CAP_NET_RAW;
    if (syscall(SYS_capset, &header, data.data()) != 0 ||
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) != 0 ||
        statusField("CapAmb") != kNetRaw) {
      return static_cast<int>(kChildSetupFailed);
    }

    auto report = dropPrivileges({"", {CAP_NET_RAW}});
    if (!report) {
      say(report.error().message);
      return static_cast<int>(kDropFailed);
    }
    if (const int failed = checkCredentials(target.uid, target.gid, kNetRaw); failed != kPassed) {
      return failed;
    }
    int error = 0;
    if (!canOpenPacketSocket(&error)) {
      say(std::strerror(error));
      return static_cast<int>(kPacketSocketFailed);
    }
    if (setuid(0) == 0) return static_cast<int>(kSetuidRootSucceeded);
    if (report->uid != target.uid || report->still_root ||
        report->capabilities != std::vector<std::string>{"cap_net_raw"}) {
      return static_cast<int>(kWrongReport);
    }
    return static_cast<int>(kPassed);
  });
  EXPECT_EQ(outcome.exit_code, 0) << describe(outcome);
}

TEST_F(DropPrivilegesTest, RootWithoutAUserChangesNothingAndSaysSo) {
  const ChildOutcome outcome = runInChild([&](const auto& say) {
    const auto before = statusField("CapEff");
    auto report = dropPrivileges({"", {CAP_NET_RAW}});
    if (!report) {
      say(report.error().message);
      return static_cast<int>(kDropFailed);
    }
    if (getuid() != 0 || geteuid() != 0) return static_cast<int>(kWrongUid);
    if (statusField("CapEff") != before) return static_cast<int>(kWrongCapEff);
    if (!report->still_root || report->uid != 0) return static_cast<int>(kWrongReport);
    return static_cast<int>(kPassed);
  });
  EXPECT_EQ(outcome.exit_code, 0) << describe(outcome);
}

TEST(DropPrivilegesOptionsTest, AnImpossibleCapabilityNumberIsAnErrorNamingIt) {
  // Checked before anything changes, so this runs in the test process itself.
  auto report = dropPrivileges({"", {CAP_NET_RAW, 64}});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "keep_capabilities: 64 is not a capability number");
}

TEST(CapabilityNameTest, NamesAsCapabilitiesSevenSpellsThem) {
  EXPECT_EQ(capabilityName(CAP_NET_RAW), "cap_net_raw");
  EXPECT_EQ(capabilityName(CAP_NET_ADMIN), "cap_net_admin");
  EXPECT_EQ(capabilityName(CAP_SYS_ADMIN), "cap_sys_admin");
  EXPECT_EQ(capabilityName(CAP_CHECKPOINT_RESTORE), "cap_checkpoint_restore");
  EXPECT_EQ(capabilityName(63), "cap_63");
}

TEST(DescribeCredentialsTest, NamesTheCurrentUser) {
  const std::string text = describeCredentials();
  const std::string uid = "uid=" + std::to_string(getuid()) + "(";
  EXPECT_EQ(text.rfind(uid, 0), 0U) << text;
  EXPECT_NE(text.find(" gid=" + std::to_string(getgid()) + " caps="), std::string::npos) << text;
}

}  // namespace
}  // namespace camwatch
