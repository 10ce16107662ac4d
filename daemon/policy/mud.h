// mud: the learned baseline as a Manufacturer Usage Description (RFC 8520: the ietf-mud container
// and RFC 8519 ietf-access-control-list ACLs, as JSON), and a MUD file read back as a group's
// allow rules (`policy.<group>.mud`, docs/policy.md "MUD profiles").
//
// Export: per learnt destination and port, one from-device ACE (to the name, ietf-acldns
// dst-dnsname, or to the address when the flows had no name) and the to-device ACE of its
// answers. Import: from-device and to-device ACEs become allow (accept) or deny (drop, reject)
// rules named "mud:<acl>/<ace>"; what camwatch cannot match is an error naming the file, the ACL
// and the ACE. Control thread only (configuration load, `camwatch baseline export`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <camwatch/baseline.h>
#include <camwatch/packet.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

namespace camwatch {

struct MudExportOptions {
  std::string group;      ///< names the ACLs and the systeminfo
  std::string mud_url;    ///< "" = https://camwatch.invalid/mud/<group>.json
  Timestamp last_update;  ///< the MUD file's last-update
};

/// The MUD file (pretty-printed JSON) allowing exactly `destinations` (LearnedBaseline::
/// destinations of one group). Allocates.
std::string mudProfileJson(const std::vector<LearntDestination>& destinations,
                           const MudExportOptions& options);

/// Which hosts one of a profile's controllers is: exact host names ("nvr.example.net") and
/// networks ("198.51.100.0/24", checked prefixes). Both empty: the controllers are all on site.
struct MudControllerHosts {
  std::vector<std::string> names;
  std::vector<std::string> networks;
};

/// `policy.<group>.mud_controllers`: a controller class URI
/// ("https://cams.example.com/controller") or "my-controller" (the controllers of this device's
/// MUD URL) -> its hosts. RFC 8520 leaves this to the network's administrator; the DNS and NTP
/// classes need no entry (the site's own servers).
using MudControllers = std::map<std::string, MudControllerHosts>;

/// The rules of the MUD file's from-device and to-device policies, in ACL and ACE order.
/// `text` is the file's content, `path` names it in errors ("cam.json: acl 'x', ace 'y': ...").
/// A controller ACE whose hosts have names and networks becomes two rules ("mud:<acl>/<ace>/names"
/// and ".../networks"): one rule's lists of different kinds must all match. Only the networks of
/// the ACL's family count. A controller of `controllers` that no ACE names is an error (a
/// mistyped URI would otherwise pass unseen).
Result<std::vector<PolicyRule>> mudPolicyRules(const std::string& path, const std::string& text,
                                               const MudControllers& controllers = {});

/// Reads the MUD file at `path` and returns mudPolicyRules() of it; an error names the path and
/// errno text when it cannot be read.
Result<std::vector<PolicyRule>> loadMudPolicyRules(const std::string& path,
                                                   const MudControllers& controllers = {});

}  // namespace camwatch
