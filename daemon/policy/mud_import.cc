// A MUD file read as policy rules. What camwatch can match of RFC 8520 / RFC 8519 becomes a rule;
// everything else is refused with the file, the ACL and the ACE named, so that a profile never
// allows less or more than it says without the operator knowing.
#include <cerrno>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "policy/mud.h"
#include "util/durable_file.h"
#include "util/text.h"

namespace camwatch {
namespace {

using Json = nlohmann::json;

// Thrown inside the reader with the text of the error; caught once at the top.
struct MudError {
  std::string message;
};

// "ietf-access-control-list:accept" -> "accept": identities may carry their module's prefix.
std::string_view withoutModule(std::string_view identity) {
  const std::size_t colon = identity.find(':');
  return colon == std::string_view::npos ? identity : identity.substr(colon + 1);
}

const Json* member(const Json& object, const char* key) {
  auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// Reads one ACE into a rule, for the direction of its ACL.
class AceReader {
 public:
  // `family`: 4 or 6 for an ACL of that type, 0 for one without a type.
  AceReader(std::string where, bool from_device, int family, const MudControllers& controllers,
            std::set<std::string>& used)
      : where_(std::move(where)),
        from_(from_device),
        family_(family),
        controllers_(controllers),
        used_(used) {}

  [[noreturn]] void fail(const std::string& what) const { throw MudError{where_ + ": " + what}; }

  // @return the rule (two for a controller with names and networks), or none for an ACE about
  // on-site hosts only (local-networks, other Things by manufacturer or model, the DNS and NTP
  // controllers, controllers configured as on site): camwatch never judges those flows.
  std::vector<PolicyRule> read(const Json& ace, const std::string& rule_name) {
    if (!ace.is_object()) fail("expected an object");
    const Json* matches = member(ace, "matches");
    if (matches == nullptr || !matches->is_object()) fail("'matches' is missing");
    bool on_site = false;
    for (const auto& [key, value] : matches->items()) {
      if (!value.is_object()) fail(fmt::format("matches.{}: expected an object", key));
      if (key == "ipv4" || key == "ipv6") {
        readIp(key, value);
      } else if (key == "tcp" || key == "udp") {
        readTransport(key, value);
      } else if (key == "ietf-mud:mud") {
        on_site = readMud(value) || on_site;
      } else {
        fail(
            fmt::format("matches.{}: not supported (camwatch matches ipv4, ipv6, tcp, udp and "
                        "ietf-mud:mud)",
                        key));
      }
    }
    rule_.name = rule_name;
    rule_.action = readAction(ace);
    if (l4_ != 0 && protocol_ != 0 && protocol_ != l4_) {
      fail(fmt::format("protocol {} does not match the {} container", protocol_,
                       l4_ == 6 ? "tcp" : "udp"));
    }
    const std::uint8_t transport = l4_ != 0 ? l4_ : protocol_;
    if (!port_.empty()) {
      rule_.ports.push_back(fmt::format("{}/{}", transport == 6 ? "tcp" : "udp", port_));
    } else if (transport == 6 || transport == 17) {
      rule_.ports.push_back(transport == 6 ? "tcp/1-65535" : "udp/1-65535");
    }
    const bool has_remote = !rule_.domains.empty() || !rule_.cidrs.empty();
    const bool has_controller = !controller_names_.empty() || !controller_networks_.empty();
    if (has_controller && has_remote) fail("combines a controller with a name or network");
    if (on_site) {
      if (has_remote || has_controller) {
        fail("combines an on-site class with a remote name, network or controller");
      }
      return {};
    }
    if (!has_remote && !has_controller && rule_.ports.empty()) {
      fail("matches no name, network or port camwatch can check (it would match every flow)");
    }
    if (!has_controller) return {std::move(rule_)};
    std::vector<PolicyRule> rules;
    const bool both = !controller_names_.empty() && !controller_networks_.empty();
    if (!controller_names_.empty()) {
      rules.push_back(rule_);
      rules.back().domains = controller_names_;
      if (both) rules.back().name += "/names";
    }
    if (!controller_networks_.empty()) {
      rules.push_back(std::move(rule_));
      rules.back().cidrs = controller_networks_;
      if (both) rules.back().name += "/networks";
    }
    return rules;
  }

 private:
  void readIp(const std::string& family, const Json& ip) {
    const std::string remote = from_ ? "destination" : "source";
    const std::string local = from_ ? "source" : "destination";
    for (const auto& [key, value] : ip.items()) {
      const std::string at = fmt::format("matches.{}.{}", family, key);
      if (key == "protocol") {
        if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 255) {
          fail(at + ": expected a protocol number 0-255");
        }
        protocol_ = value.get<std::uint8_t>();
      } else if (key == (from_ ? "ietf-acldns:dst-dnsname" : "ietf-acldns:src-dnsname")) {
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
          fail(at + ": expected a host name");
        }
        rule_.domains.push_back(value.get<std::string>());
      } else if (key == remote + "-" + family + "-network") {
        if (!value.is_string()) fail(at + ": expected a prefix");
        auto prefix = IpPrefix::parse(value.get_ref<const std::string&>());
        if (!prefix) fail(fmt::format("{}: {}", at, prefix.error().message));
        if (prefix->isV4() != (family == "ipv4")) fail(at + ": a prefix of the other family");
        rule_.cidrs.push_back(value.get<std::string>());
      } else if (key == (from_ ? "ietf-acldns:src-dnsname" : "ietf-acldns:dst-dnsname") ||
                 key == local + "-" + family + "-network") {
        fail(at + ": names the camera's own side, which camwatch does not match (an ACL " +
             (from_ ? "from" : "to") + " the device matches the remote host by its " + remote +
             ")");
      } else {
        fail(at +
             ": not supported (camwatch matches protocol, the remote's dnsname and "
             "network)");
      }
    }
  }

  // "443", "1-1024" of a port-range-or-operator (RFC 8519).
  std::string readPort(const Json& port, const std::string& at) {
    auto number = [&](const char* key) -> unsigned {
      const Json* value = member(port, key);
      if (value == nullptr || !value->is_number_unsigned() || value->get<std::uint64_t>() > 65535) {
        fail(fmt::format("{}.{}: expected a port 0-65535", at, key));
      }
      return value->get<unsigned>();
    };
    if (!port.is_object()) fail(at + ": expected an object");
    if (member(port, "lower-port") != nullptr) {
      const unsigned lower = number("lower-port");
      const unsigned upper = number("upper-port");
      if (upper < lower) fail(at + ": upper-port below lower-port");
      return fmt::format("{}-{}", lower, upper);
    }
    const Json* op = member(port, "operator");
    const std::string name = op != nullptr && op->is_string() ? op->get<std::string>() : "eq";
    const unsigned value = number("port");
    if (name == "eq") return std::to_string(value);
    if (name == "lte") return fmt::format("1-{}", value);
    if (name == "gte") return fmt::format("{}-65535", value);
    fail(fmt::format("{}.operator: '{}' not supported (eq, lte, gte, or lower-port/upper-port)", at,
                     name));
  }

  void readTransport(const std::string& name, const Json& l4) {
    l4_ = name == "tcp" ? 6 : 17;
    const std::string remote_port = from_ ? "destination-port" : "source-port";
    const std::string local_port = from_ ? "source-port" : "destination-port";
    for (const auto& [key, value] : l4.items()) {
      const std::string at = fmt::format("matches.{}.{}", name, key);
      if (key == remote_port) {
        port_ = readPort(value, at);
      } else if (key == "ietf-mud:direction-initiated" && name == "tcp") {
        if (value != "from-device") {
          fail(at +
               ": only connections the device opens are supported (from-device); camwatch "
               "judges the flows cameras open");
        }
      } else if (key == local_port) {
        fail(at + ": the camera's own port, which camwatch does not match");
      } else {
        fail(at + ": not supported");
      }
    }
  }

  // @return true when the ACE is about on-site hosts only.
  bool readMud(const Json& mud) {
    bool on_site = false;
    for (const auto& [key, value] : mud.items()) {
      const std::string at = "matches.ietf-mud:mud." + key;
      // Other Things (devices with MUD URLs) of the site: by any manufacturer, this one, or a
      // model. Devices are on site, and camwatch judges only what leaves it.
      if (key == "local-networks" || key == "same-manufacturer" || key == "manufacturer" ||
          key == "model") {
        on_site = true;
        continue;
      }
      std::string controller;
      if (key == "controller") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
          fail(at + ": expected a URI");
        }
        controller = value.get<std::string>();
        if (controller == "urn:ietf:params:mud:dns" || controller == "urn:ietf:params:mud:ntp") {
          on_site = true;  // the site's own DNS and NTP servers (`resolvers` for DNS)
          continue;
        }
      } else if (key == "my-controller") {
        controller = "my-controller";
      } else {
        fail(at +
             ": not supported (camwatch matches local-networks, same-manufacturer, "
             "manufacturer, model, controller and my-controller)");
      }
      // Every match of an ACE must hold (RFC 8519): a flow cannot go to two controllers at once.
      if (!controller_.empty()) {
        fail(fmt::format("{}: combines two controllers ('{}' and '{}')", at, controller_,
                         controller));
      }
      controller_ = controller;
      const auto hosts = controllers_.find(controller);
      if (hosts == controllers_.end()) {
        fail(fmt::format(
            "{}: '{}' is not in the group's mud_controllers: list its host names or networks "
            "there (an empty list if they are all on site)",
            at, controller));
      }
      used_.insert(controller);
      const MudControllerHosts& listed = hosts->second;
      if (listed.names.empty() && listed.networks.empty()) {
        on_site = true;
        continue;
      }
      controller_names_ = listed.names;
      for (const std::string& network : listed.networks) {
        if (family_ == 0 || IpPrefix::parse(network)->isV4() == (family_ == 4)) {
          controller_networks_.push_back(network);
        }
      }
      if (controller_names_.empty() && controller_networks_.empty()) {
        fail(fmt::format("{}: '{}' has no network of this ACL's family (IPv{}) in mud_controllers",
                         at, controller, family_));
      }
    }
    return on_site;
  }

  PolicyAction readAction(const Json& ace) const {
    const Json* actions = member(ace, "actions");
    const Json* forwarding =
        actions != nullptr && actions->is_object() ? member(*actions, "forwarding") : nullptr;
    if (forwarding == nullptr || !forwarding->is_string()) fail("actions.forwarding is missing");
    const std::string_view action = withoutModule(forwarding->get_ref<const std::string&>());
    if (action == "accept") return PolicyAction::kAllow;
    if (action == "drop" || action == "reject") return PolicyAction::kDeny;
    fail(fmt::format("actions.forwarding: '{}' (expected accept, drop or reject)", action));
  }

  std::string where_;
  bool from_;
  int family_;
  const MudControllers& controllers_;
  std::set<std::string>& used_;  // the controllers the profile's ACEs name
  PolicyRule rule_;
  std::string controller_;                     // the ACE's controller, if any
  std::vector<std::string> controller_names_;  // of the ACE's controller, from the config
  std::vector<std::string> controller_networks_;
  std::uint8_t protocol_ = 0;
  std::uint8_t l4_ = 0;
  std::string port_;
};

const Json& required(const Json& object, const char* key, const std::string& where) {
  const Json* value = member(object, key);
  if (value == nullptr) throw MudError{fmt::format("{}: '{}' is missing", where, key)};
  return *value;
}

// The ACL names of one of the two policies ("from-device-policy"), in order.
std::vector<std::string> policyAcls(const Json& mud, const char* policy) {
  std::vector<std::string> names;
  const Json* container = member(mud, policy);
  if (container == nullptr) return names;
  const std::string where = std::string("ietf-mud:mud.") + policy;
  const Json& lists =
      required(required(*container, "access-lists", where), "access-list", where + ".access-lists");
  if (!lists.is_array()) throw MudError{where + ".access-lists.access-list: expected a list"};
  for (const Json& entry : lists) {
    const Json* name = entry.is_object() ? member(entry, "name") : nullptr;
    if (name == nullptr || !name->is_string()) {
      throw MudError{where + ".access-lists.access-list: an entry without a name"};
    }
    names.push_back(name->get<std::string>());
  }
  return names;
}

std::vector<PolicyRule> readProfile(const Json& json, const MudControllers& controllers) {
  std::set<std::string> used;
  if (!json.is_object()) throw MudError{"expected a JSON object"};
  const Json& mud = required(json, "ietf-mud:mud", "top level");
  if (!mud.is_object()) throw MudError{"ietf-mud:mud: expected an object"};
  const Json& version = required(mud, "mud-version", "ietf-mud:mud");
  if (version != 1) throw MudError{"ietf-mud:mud.mud-version: " + version.dump() + " (expected 1)"};
  // RFC 8519 names the container "acls"; drafts before it (and tools of that time, MUDgee)
  // wrote "access-lists".
  const Json* acls = member(json, "ietf-access-control-list:acls");
  if (acls == nullptr) acls = member(json, "ietf-access-control-list:access-lists");
  if (acls == nullptr) throw MudError{"top level: 'ietf-access-control-list:acls' is missing"};
  const Json& acl_list = required(*acls, "acl", "ietf-access-control-list:acls");
  if (!acl_list.is_array()) throw MudError{"ietf-access-control-list:acls.acl: expected a list"};

  std::vector<PolicyRule> rules;
  for (const bool from_device : {true, false}) {
    const char* policy = from_device ? "from-device-policy" : "to-device-policy";
    for (const std::string& name : policyAcls(mud, policy)) {
      const Json* acl = nullptr;
      for (const Json& candidate : acl_list) {
        if (candidate.is_object() && candidate.value("name", "") == name) acl = &candidate;
      }
      if (acl == nullptr) {
        throw MudError{
            fmt::format("{} names acl '{}', which ietf-access-control-list:acls does "
                        "not have",
                        policy, name)};
      }
      const std::string where = fmt::format("acl '{}'", name);
      int family = 0;
      if (const Json* type = member(*acl, "type"); type != nullptr) {
        const std::string_view kind =
            type->is_string() ? withoutModule(type->get_ref<const std::string&>()) : "";
        if (kind != "ipv4-acl-type" && kind != "ipv6-acl-type") {
          throw MudError{fmt::format("{}: type {} not supported (ipv4-acl-type, ipv6-acl-type)",
                                     where, type->dump())};
        }
        family = kind == "ipv4-acl-type" ? 4 : 6;
      }
      const Json* aces = member(*acl, "aces");
      const Json* ace_list = aces != nullptr && aces->is_object() ? member(*aces, "ace") : nullptr;
      if (ace_list == nullptr) continue;  // an empty ACL
      if (!ace_list->is_array()) throw MudError{where + ": aces.ace: expected a list"};
      for (std::size_t i = 0; i < ace_list->size(); ++i) {
        const Json& ace = (*ace_list)[i];
        const std::string ace_name =
            ace.is_object() && ace.contains("name") && ace["name"].is_string()
                ? ace["name"].get<std::string>()
                : fmt::format("#{}", i + 1);
        AceReader reader(fmt::format("{}, ace '{}'", where, ace_name), from_device, family,
                         controllers, used);
        for (PolicyRule& rule : reader.read(ace, fmt::format("mud:{}/{}", name, ace_name))) {
          rules.push_back(std::move(rule));
        }
      }
    }
  }
  for (const auto& [controller, hosts] : controllers) {
    if (!used.contains(controller)) {
      throw MudError{fmt::format(
          "mud_controllers lists '{}', which no ACE of the profile's policies names", controller)};
    }
  }
  return rules;
}

}  // namespace

Result<std::vector<PolicyRule>> mudPolicyRules(const std::string& path, const std::string& text,
                                               const MudControllers& controllers) {
  try {
    return readProfile(Json::parse(text), controllers);
  } catch (const Json::parse_error& error) {
    std::string_view what = error.what();
    if (const std::size_t bracket = what.find("] "); bracket != std::string_view::npos) {
      what.remove_prefix(bracket + 2);
    }
    return makeError(fmt::format("{}: {}", path, what));
  } catch (const MudError& error) {
    return makeError(fmt::format("{}: {}", path, error.message));
  }
}

Result<std::vector<PolicyRule>> loadMudPolicyRules(const std::string& path,
                                                   const MudControllers& controllers) {
  auto text = readWholeFile(path);
  if (!text) {
    return makeError(
        fmt::format("{}: {}: {}", path, text.error().call, errnoText(text.error().error)));
  }
  return mudPolicyRules(path, *text, controllers);
}

}  // namespace camwatch
