#include "cli/baseline_command.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <camwatch/baseline.h>

#include "cli/cli.h"
#include "cli/replay_command.h"
#include "config/config.h"

namespace camwatch::cli {
namespace {

int complain(const std::string& message, int code) {
  std::cerr << "camwatch: " << message << '\n';
  return code;
}

// The config and the state file it names; an error for a config without one.
struct LoadedState {
  Config config;
  LearnedBaseline baseline;
};

Result<LoadedState> loadState(const std::string& config_path) {
  auto config = loadConfig(config_path);
  if (!config) return tl::unexpected(config.error());
  if (config->learning.state_file.empty()) {
    return makeError(
        fmt::format("{}: learning.state_file is not set: the baseline lives there (docs/policy.md)",
                    config_path));
  }
  auto baseline = LearnedBaseline::load(config->learning.state_file);
  if (!baseline) return tl::unexpected(baseline.error());
  return LoadedState{std::move(*config), std::move(*baseline)};
}

// The groups to show or export: `--group`, or every group learnt. An error naming the learnt
// groups when `--group` names none of them.
Result<std::vector<std::string>> selectGroups(const LearnedBaseline& baseline,
                                              const std::string& wanted,
                                              const std::string& state_file) {
  std::vector<std::string> names = baseline.groupNames();
  if (wanted.empty()) return names;
  if (std::find(names.begin(), names.end(), wanted) != names.end()) return std::vector{wanted};
  std::string known;
  for (const std::string& name : names) known += (known.empty() ? "" : ", ") + name;
  return makeError(fmt::format("{}: no group '{}' learnt (learnt: {})", state_file, wanted,
                               known.empty() ? std::string("none") : known));
}

std::string timeText(Timestamp time) { return time == 0 ? "-" : formatTimestamp(time, 0); }

template <typename Set, typename Text>
std::string joined(const Set& set, Text text, std::string_view empty = "-") {
  std::string out;
  for (const auto& item : set) {
    if (!out.empty()) out += ',';
    out += text(item);
  }
  return out.empty() ? std::string(empty) : out;
}

// "AS13335 Cloudflare", "AS13335,AS209242", "Cloudflare", "-".
std::string operatorText(const LearntDestination& destination) {
  std::string out = joined(
      destination.asns, [](std::uint32_t asn) { return fmt::format("AS{}", asn); }, "");
  if (!destination.operator_name.empty()) {
    out += (out.empty() ? "" : " ") + destination.operator_name;
  }
  return out.empty() ? "-" : out;
}

std::string camerasText(const LearntDestination& destination) {
  // A long list says how many; --json has them all.
  if (destination.cameras.size() > 3) return fmt::format("{} cameras", destination.cameras.size());
  return joined(destination.cameras, [](const IpAddress& ip) { return ip.toString(); });
}

// One aligned table per group: the columns padded to their widest cell.
std::string showTable(const LearnedBaseline& baseline, const std::vector<std::string>& groups) {
  static constexpr std::array<std::string_view, 9> kHeader = {
      "DESTINATION", "AS/OPERATOR", "COUNTRY",    "PROTOCOL", "PORTS",
      "CAMERAS",     "BYTES",       "FIRST SEEN", "LAST SEEN"};
  std::string out;
  for (const std::string& group : groups) {
    const std::vector<LearntDestination> destinations = baseline.destinations(group);
    std::vector<std::array<std::string, kHeader.size()>> rows;
    rows.push_back({});
    for (std::size_t i = 0; i < kHeader.size(); ++i) rows[0][i] = std::string(kHeader[i]);
    for (const LearntDestination& destination : destinations) {
      rows.push_back({destination.name, operatorText(destination),
                      joined(destination.countries, [](const std::string& c) { return c; }),
                      joined(destination.protocols, [](const std::string& p) { return p; }),
                      joined(destination.ports, [](const LearntPort& p) { return p.toString(); }),
                      camerasText(destination),
                      destination.first_seen == 0 ? "-" : std::to_string(destination.bytes),
                      timeText(destination.first_seen), timeText(destination.last_seen)});
    }
    std::array<std::size_t, kHeader.size()> widths{};
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    if (!out.empty()) out += '\n';
    out += fmt::format("group {}: {} destination(s)\n", group, destinations.size());
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
      out += line + '\n';
    }
  }
  return out;
}

nlohmann::ordered_json showJson(const LearnedBaseline& baseline,
                                const std::vector<std::string>& groups) {
  nlohmann::ordered_json out;
  out["learning_started"] =
      baseline.learningStarted() == 0
          ? nlohmann::ordered_json(nullptr)
          : nlohmann::ordered_json(formatTimestamp(baseline.learningStarted(), 9));
  nlohmann::ordered_json groups_json = nlohmann::ordered_json::object();
  for (const std::string& group : groups) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const LearntDestination& destination : baseline.destinations(group)) {
      nlohmann::ordered_json row;
      row["name"] = destination.name;
      row["named"] = destination.named;
      row["asns"] = destination.asns;
      row["operator"] = destination.operator_name.empty()
                            ? nlohmann::ordered_json(nullptr)
                            : nlohmann::ordered_json(destination.operator_name);
      row["countries"] = destination.countries;
      row["protocols"] = destination.protocols;
      nlohmann::ordered_json ports = nlohmann::ordered_json::array();
      for (const LearntPort& port : destination.ports) ports.push_back(port.toString());
      row["ports"] = std::move(ports);
      for (const auto& [field, set] : {std::pair{"addresses", &destination.addresses},
                                       std::pair{"cameras", &destination.cameras}}) {
        nlohmann::ordered_json addresses = nlohmann::ordered_json::array();
        for (const IpAddress& address : *set) addresses.push_back(address.toString());
        row[field] = std::move(addresses);
      }
      // A record from before destination records knows none of these: null, not 0.
      const bool known = destination.first_seen != 0;
      row["flows"] = known ? nlohmann::ordered_json(destination.flows) : nullptr;
      row["bytes"] = known ? nlohmann::ordered_json(destination.bytes) : nullptr;
      row["first_seen"] =
          known ? nlohmann::ordered_json(formatTimestamp(destination.first_seen, 9)) : nullptr;
      row["last_seen"] = destination.last_seen != 0
                             ? nlohmann::ordered_json(formatTimestamp(destination.last_seen, 9))
                             : nullptr;
      list.push_back(std::move(row));
    }
    groups_json[group] = std::move(list);
  }
  out["groups"] = std::move(groups_json);
  return out;
}

}  // namespace

int baselineShowCommand(const BaselineArgs& args) {
  auto state = loadState(args.config_path);
  if (!state) return complain(state.error().message, kExitUsage);
  auto groups = selectGroups(state->baseline, args.group, state->config.learning.state_file);
  if (!groups) return complain(groups.error().message, kExitUsage);
  if (args.json) {
    std::cout << showJson(state->baseline, *groups)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else if (groups->empty()) {
    std::cout << "nothing learnt yet (" << state->config.learning.state_file << ")\n";
  } else {
    std::cout << showTable(state->baseline, *groups);
  }
  return kExitOk;
}

int baselineRemoveCommand(const BaselineArgs& args) {
  auto state = loadState(args.config_path);
  if (!state) return complain(state.error().message, kExitUsage);
  const std::string& path = state->config.learning.state_file;
  if (auto removed = state->baseline.remove(args.group, args.entry); !removed) {
    return complain(fmt::format("{}: {}", path, removed.error().message), kExitUsage);
  }
  if (auto saved = state->baseline.save(path); !saved) {
    return complain(saved.error().message, kExitFailure);
  }
  std::cout << "removed " << args.entry << " from group " << args.group << " (" << path << ")\n";
  return kExitOk;
}

int baselineLearnCommand(const BaselineArgs& args) {
  ReplayArgs replay;
  replay.config_path = args.config_path;
  replay.bpf = args.bpf;
  replay.captures = args.captures;
  replay.learn_only = true;
  return replayCommand(replay);
}

}  // namespace camwatch::cli
