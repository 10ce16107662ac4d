#!/usr/bin/env bash
# Layout lint (issue 16, docs/dev/plan-issue-16.md §3.6): rules about how the source tree is cut
# that the compiler cannot see.
#
#   layout_lint.sh [ROOT [ALLOW_FILE]]     (ROOT: the repository, default: this script's parent;
#                                           ALLOW_FILE: default ROOT/tests/scripts/layout_lint_allow.txt)
#
#   edge      No include cycle between components. A component is a folder daemon/<name>/ (with
#             everything under it) plus the public headers the table below gives it; an edge
#             a -> b is an #include in a file of a of a file of b. The graph goes through tsort.
#   nlohmann  No nlohmann include in include/camwatch/ but in alert_json.h (JSON stays out of
#             the public types).
#   config    config/config.h (the whole configuration; camwatch/config.h before it became
#             private) only from daemon/cli/, daemon/config/, daemon/runtime/: every other
#             component takes its own section.
#   size      No .cc/.h under daemon/, include/, tests/, bench/ over 600 lines.
#   thread    std::thread, std::jthread and pthread_create only in daemon/pipeline/,
#             daemon/alert/, daemon/runtime/, daemon/cli/, daemon/export/: the threads of
#             docs/architecture.md start there and nowhere else.
#   owns      Every folder under daemon/ has a main header (the table main_header below) that
#             opens with two comment lines saying what the folder owns, the first starting
#             `// <folder>/: ` (`// sinks/jsonl/: ` for a subfolder), the second a comment line
#             that goes on. Not allow-listable: a new folder comes with its main header.
#
# ALLOW_FILE lists today's violations, one a line: `KIND SUBJECT REASON...` (KIND as above;
# SUBJECT a path, or `a->b` for an edge; the reason is required). An entry whose violation no
# longer exists fails the lint as stale, so the list can only shrink. Exit 0: clean; 1: problems,
# each named on its own line.
set -euo pipefail
export LC_ALL=C

root=${1:-$(dirname "$(realpath "$0")")/..}
root=$(realpath "$root")
allow=$(realpath "${2:-$root/tests/scripts/layout_lint_allow.txt}")
cd "$root"

max_lines=600
thread_dirs='^daemon/(pipeline|alert|runtime|cli|export)/'
config_dirs='^daemon/(cli|config|runtime)/'
nlohmann_allowed='include/camwatch/alert_json.h'

# The component each public header belongs to: the daemon/ folder that implements it (or, for a
# header of plain types, the stage that produces them). A new header must be added here.
declare -A header_component=(
  [alert.h]=alert [alert_json.h]=alert [beacon.h]=alert
  # The kinds and severities of alerts: the policy decides them (a verdict names one), the alert
  # engine raises them, so they belong to the deciding stage (policy -> alert would be a loop).
  [alert_kind.h]=policy [baseline.h]=policy [egress_budget.h]=policy [policy.h]=policy
  [capture.h]=capture [packet.h]=capture
  [decode.h]=decode [ip_address.h]=decode
  [dns.h]=dns [dpi.h]=dpi [classification.h]=dpi [classifier.h]=dpi [flow.h]=flow [geo.h]=geo [operators.h]=geo [inventory.h]=inventory
  [metrics.h]=metrics
  [result.h]=util [function_ref.h]=util
  [logging_config.h]=config
  # Generated from daemon/cli/build_info.h.in into the build tree; it includes nothing, so it is
  # a leaf of its own rather than a part of cli/ (metrics/ reads the version from it).
  [build_info.h]=build_info
)

# Each daemon/ folder's main header: the one that says what the folder owns (docs/architecture.md
# has the same list as a table). For a folder whose interface is a public header, that header;
# otherwise the folder's central one. A new folder must be added here.
declare -A main_header=(
  [alert]=include/camwatch/alert.h
  [capture]=include/camwatch/capture.h
  [cli]=daemon/cli/cli.h
  [config]=daemon/config/config.h
  [decode]=include/camwatch/decode.h
  [dns]=include/camwatch/dns.h
  [dpi]=include/camwatch/dpi.h
  [export]=daemon/export/ipfix_exporter.h
  [flow]=include/camwatch/flow.h
  [geo]=include/camwatch/geo.h
  [inventory]=include/camwatch/inventory.h
  [metrics]=include/camwatch/metrics.h
  [pipeline]=daemon/pipeline/worker_shell.h
  [policy]=include/camwatch/policy.h
  [report]=daemon/report/summary.h
  [runtime]=daemon/runtime/live_sensor.h
  [sinks]=daemon/sinks/sink_registry.h
  [sinks/alertmanager]=daemon/sinks/alertmanager/alertmanager_alert_sink.h
  [sinks/http]=daemon/sinks/http/http_client.h
  [sinks/jsonl]=daemon/sinks/jsonl/jsonl_alert_sink.h
  [sinks/stdout]=daemon/sinks/stdout/stdout_alert_sink.h
  [sinks/syslog]=daemon/sinks/syslog/syslog_alert_sink.h
  [sinks/webhook]=daemon/sinks/webhook/webhook_alert_sink.h
  [util]=daemon/util/text.h
  [yaml]=daemon/yaml/config_reader.h
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
problems=0
problem() {
  echo "layout_lint: $*"
  problems=$((problems + 1))
}

# --- the allow-list --------------------------------------------------------------------------
declare -A allowed=()  # "kind subject" -> line number
if [ ! -f "$allow" ]; then
  problem "$allow: no such allow-list file"
else
  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $line in '' | '#'*) continue ;; esac
    read -r kind subject reason <<<"$line"
    case $kind in
      edge | nlohmann | config | size | thread) ;;
      *)
        problem "$allow:$lineno: unknown kind '$kind' (edge, nlohmann, config, size, thread)"
        continue
        ;;
    esac
    if [ -z "${reason:-}" ]; then
      problem "$allow:$lineno: '$kind $subject' has no reason"
      continue
    fi
    if [ -n "${allowed["$kind $subject"]:-}" ]; then
      problem "$allow:$lineno: '$kind $subject' is listed twice (line ${allowed["$kind $subject"]})"
      continue
    fi
    allowed["$kind $subject"]=$lineno
  done <"$allow"
fi
declare -A used=()
# check KIND SUBJECT MESSAGE: a violation, unless the allow-list has it.
violation() {
  if [ -n "${allowed["$1 $2"]:-}" ]; then
    used["$1 $2"]=1
  else
    problem "$1: $2: $3"
  fi
}

# Each file's lines that are not // comments, prefixed with the file name (grep -H style).
source_files() {  # DIR... : .cc and .h files, sorted
  find "$@" -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort
}
code_lines() {  # PATTERN FILE...
  local pattern=$1
  shift
  [ $# -gt 0 ] || return 0
  grep -HnP "$pattern" "$@" | grep -vP '^[^:]+:[0-9]+:\s*//' || true
}

# --- edge: component include graph -----------------------------------------------------------
mapfile -t graph_files < <(source_files daemon include/camwatch)
# component_of FILE: sets `component` (empty, with a problem, when the file has none). Not a
# $(...) function: a problem found in a subshell would be lost.
component_of() {
  local file=$1 name
  component=""
  case $file in
    daemon/*/*)
      name=${file#daemon/}
      component=${name%%/*}
      ;;
    include/camwatch/*)
      name=${file#include/camwatch/}
      component=${header_component[$name]:-}
      [ -n "$component" ] ||
        problem "$file: no component: add it to header_component in scripts/layout_lint.sh"
      ;;
    *) problem "$file: outside any component folder" ;;
  esac
}
: >"$work/edges"  # from to file:line
for file in "${graph_files[@]}"; do
  component_of "$file"
  from=$component
  [ -n "$from" ] || continue
  while IFS=: read -r _ lineno target; do
    to=""
    case $target in
      camwatch/*)
        name=${target#camwatch/}
        to=${header_component[$name]:-}
        [ -n "$to" ] || problem "$file:$lineno: includes <$target>, which has no component"
        ;;
      */*)
        # "dir/x.h" from daemon/: dir is a component when daemon/dir/ exists.
        [ -d "daemon/${target%%/*}" ] && to=${target%%/*}
        ;;
    esac
    if [ -n "$to" ] && [ "$to" != "$from" ]; then
      echo "$from $to $file:$lineno" >>"$work/edges"
    fi
  done < <(grep -HnoP '^\s*#\s*include\s*[<"]\K[^>"]+' "$file" || true)
done
# One example file per edge, to name it.
sort -u -k1,2 "$work/edges" >"$work/edge_examples"
awk '{print $1, $2}' "$work/edge_examples" >"$work/all_edges"

# An allowed edge is used while it exists and lies on a cycle (its target reaches its source).
reaches() {  # FROM TO: exit 0 when TO is reachable from FROM in all_edges
  awk -v start="$1" -v goal="$2" '
    { adj[$1] = adj[$1] " " $2 }
    END {
      queue[0] = start; seen[start] = 1; head = 0; tail = 1
      while (head < tail) {
        node = queue[head++]
        if (node == goal) exit 0
        n = split(adj[node], next_nodes, " ")
        for (i = 1; i <= n; i++)
          if (!(next_nodes[i] in seen)) { seen[next_nodes[i]] = 1; queue[tail++] = next_nodes[i] }
      }
      exit 1
    }' "$work/all_edges"
}
: >"$work/checked_edges"
while read -r from to; do
  if [ -n "${allowed["edge $from->$to"]:-}" ]; then
    if reaches "$to" "$from"; then used["edge $from->$to"]=1; fi
  else
    echo "$from $to" >>"$work/checked_edges"
  fi
done <"$work/all_edges"
if ! tsort "$work/checked_edges" >/dev/null 2>"$work/tsort_err"; then
  # GNU tsort names each loop it breaks, one member a line after "input contains a loop:".
  awk '/input contains a loop/ { if (n) print line; line = ""; n = 0; next }
       { sub(/^tsort: /, ""); line = line (n++ ? " " : "") $0 }
       END { if (n) print line }' "$work/tsort_err" >"$work/loops"
  while read -r -a members; do
    [ ${#members[@]} -gt 0 ] || continue
    cycle="${members[*]} ${members[0]}"
    problem "edge: include cycle between components: ${cycle// / -> }"
    for ((i = 0; i < ${#members[@]}; i++)); do
      a=${members[i]} b=${members[(i + 1) % ${#members[@]}]}
      # tsort lists a loop in order; name the edge a -> b, or b -> a should the order be reversed.
      awk -v a="$a" -v b="$b" '$1 == a && $2 == b { found = $0 } $1 == b && $2 == a { back = $0 }
        END { split(found ? found : back, f, " "); print "layout_lint:   " f[1] " -> " f[2] ": " f[3] }' \
        "$work/edge_examples"
    done
  done <"$work/loops"
  [ -s "$work/loops" ] || problem "edge: tsort failed: $(cat "$work/tsort_err")"
fi

# --- nlohmann: JSON stays out of the public headers ------------------------------------------
while IFS=: read -r file _; do
  [ "$file" = "$nlohmann_allowed" ] && continue
  violation nlohmann "$file" "includes nlohmann (only $nlohmann_allowed may)"
done < <(code_lines '^\s*#\s*include\s*[<"]nlohmann/' $(source_files include) | sort -u -t: -k1,1)

# --- config: the whole Config only at the composition root -----------------------------------
while IFS=: read -r file _; do
  [[ $file =~ $config_dirs ]] && continue
  violation config "$file" "includes the whole config (only daemon/cli, config, runtime may)"
done < <(code_lines '^\s*#\s*include\s*[<"](camwatch|config)/config\.h[>"]' \
  $(source_files daemon include) | sort -u -t: -k1,1)

# --- size ------------------------------------------------------------------------------------
while read -r lines file; do
  [ "$file" = total ] && continue
  if [ "$lines" -gt "$max_lines" ]; then
    violation size "$file" "$lines lines (at most $max_lines)"
  fi
done < <(source_files daemon include tests bench | xargs -r wc -l)

# --- thread: threads are started in few places -----------------------------------------------
# std::thread::hardware_concurrency() and std::thread::id start nothing, hence the (?!::).
while IFS=: read -r file _; do
  [[ $file =~ $thread_dirs ]] && continue
  violation thread "$file" "starts a thread (only daemon/pipeline, alert, runtime, cli, export may)"
done < <(code_lines '\bstd::j?thread\b(?!::)|\bpthread_create\b' $(source_files daemon include) |
  sort -u -t: -k1,1)

# --- owns: each daemon/ folder's main header says what the folder owns -----------------------
while read -r dir; do
  folder=${dir#daemon/}
  header=${main_header[$folder]:-}
  if [ -z "$header" ]; then
    problem "owns: $dir/: no main header: add it to main_header in scripts/layout_lint.sh"
    continue
  fi
  if [ ! -f "$header" ]; then
    problem "owns: $dir/: its main header $header does not exist"
    continue
  fi
  first="" second=""
  { IFS= read -r first || true; IFS= read -r second || true; } <"$header"
  if ! [[ $first =~ ^//\ ${folder}/:\ [^[:space:]] && $second =~ ^//\ +[^[:space:]] ]]; then
    problem "owns: $header: does not open with two comment lines saying what $folder/ owns" \
      "(\"// $folder/: ...\")"
  fi
# Folders with files only: git keeps no empty folder, so one left behind by a move is no folder.
done < <(find daemon -mindepth 2 -type f -printf '%h\n' 2>/dev/null | sort -u)

# --- stale allow-list entries ----------------------------------------------------------------
while read -r lineno entry; do
  [ -n "${used[$entry]:-}" ] ||
    problem "$allow:$lineno: stale: '$entry' is no longer a violation: delete the line"
done < <(for entry in "${!allowed[@]}"; do echo "${allowed[$entry]} $entry"; done | sort -n)

if [ "$problems" -gt 0 ]; then
  echo "layout_lint: $problems problem(s) in $root"
  exit 1
fi
echo "layout_lint: ok: $(wc -l <"$work/all_edges") component edges, ${#allowed[@]} allowed violations"
