// The findings the HTML report opens with: the answers to "what did these cameras do, and what
// should we tell the people in charge", each one sentence with counts, a few lines of detail
// with links to the cameras concerned, and a link to the evidence (a chart, the alerts).
//
// A finding is made by one builder, a function of the replay's facts (FindingFacts). Builders are
// independent and listed once (findingBuilders()); adding a finding is writing one function and
// adding it to that list. buildFindings() runs them all and orders the findings by level: the
// highest severity of the alerts behind a finding, then "seen" (found, but nothing alerted:
// allowed traffic), then "nothing found"; ties keep the list's order. A finding that found
// nothing still says so ("No camera sent data to a vendor cloud."), since "no" is an answer too.
//
// Alert kinds are matched by name (alertKindName), so a builder can name a kind another branch
// adds (external_resolver, encrypted_dns) and work once that kind exists. Everything here is
// plain text: the HTML (report_findings.h) escapes it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/alert.h>

#include "alert/alert_engine.h"
#include "report/destinations_csv.h"
#include "report/flow_digest.h"

namespace camwatch {

/// How a finding ranks, lowest first.
enum class FindingLevel : std::uint8_t {
  kNothing,   ///< nothing found
  kSeen,      ///< found, and no alert behind it (allowed, or not alerted by this config)
  kInfo,      ///< the highest alert behind it is info
  kWarning,   ///< ... warning
  kCritical,  ///< ... critical
};

/// "critical", "warning", "info", "seen", "nothing found".
std::string_view findingLevelName(FindingLevel level);
/// The level of alerts of `severity`.
FindingLevel levelOf(Severity severity);

/// A link in a finding: text shown, the anchor (an element id in the page) it goes to.
struct FindingLink {
  std::string text;
  std::string anchor;
  bool operator==(const FindingLink&) const = default;
};

/// One line of detail: what it says, and the cameras it is about.
struct FindingLine {
  std::string text;
  std::vector<FindingLink> cameras;  ///< at most kFindingLinksPerLine
  std::size_t more_cameras = 0;      ///< beyond those
};

struct Finding {
  std::string id;  ///< stable, the element id "finding-<id>": "vendor-cloud", "budget", ...
  std::string title;
  FindingLevel level = FindingLevel::kNothing;
  std::string sentence;  ///< the answer, with its counts
  std::vector<FindingLine> lines;
  std::size_t more_lines = 0;  ///< beyond kFindingLines: "N more" and where they are
  FindingLink evidence;        ///< the chart or section that shows it
  std::uint64_t cameras = 0;   ///< cameras concerned (0 when nothing was found)
};

inline constexpr std::size_t kFindingLines = 8;
inline constexpr std::size_t kFindingLinksPerLine = 12;

/// What builders read: the replay's alerts, cameras and destination rows, and the site's home
/// country. Holds references: valid while those are.
class FindingFacts {
 public:
  FindingFacts(const std::vector<Alert>& alerts, const std::vector<SeenCamera>& cameras,
               const std::vector<DestinationRow>& rows, std::string home_country,
               std::uint64_t unitemised_flows, const FlowDigest* digest = nullptr);

  const std::vector<Alert>& alerts;  ///< notifications, in time order
  const std::vector<SeenCamera>& cameras;
  const std::vector<DestinationRow>& rows;  ///< by camera, then bytes out (most first)
  const std::string home_country;           ///< sensor.country; "" = not set
  const std::uint64_t unitemised_flows;     ///< egress flows beyond replay.max_destination_rows
  /// Everything else the replay folded (timelines, and what later findings need, e.g. the
  /// beacons); null in tests that do not need it.
  const FlowDigest* digest;

  /// The camera at `ip` as the camera list knows it (name, vendor); a bare address when unseen.
  AlertCamera camera(const IpAddress& ip) const;
  /// The alert notifications of these kinds (by name), in time order.
  std::vector<const Alert*> alertsOf(std::initializer_list<std::string_view> kinds) const;

 private:
  std::map<IpAddress, const SeenCamera*> by_ip_;
};

/// A builder: the finding, or nullopt when it has nothing to say even as "nothing found" (the
/// catch-all of kinds no other builder claims).
using FindingBuilder = std::optional<Finding> (*)(const FindingFacts& facts);

/// Every builder, in the order that breaks ties between findings of one level.
const std::vector<FindingBuilder>& findingBuilders();

/// The alert kinds (by name) the builders report; the catch-all reports any other kind.
const std::vector<std::string_view>& claimedAlertKinds();

/// Every builder's finding, most severe first (ties: the builders' order).
std::vector<Finding> buildFindings(const FindingFacts& facts);

/// Orders findings by level, most severe first, keeping the given order within a level.
void orderFindings(std::vector<Finding>& findings);

}  // namespace camwatch
