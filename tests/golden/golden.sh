#!/usr/bin/env bash
# Golden outputs (tests/golden/README.md): replays every capture the tests ship with the example
# config (and the ground-truth config) and a fixed test GeoIP database, and writes what `camwatch
# replay` makes of each (flows, alerts, summary, destinations CSV, HTML report) under OUT_DIR/CASE/.
#
#   golden.sh CAMWATCH TESTGEN PERL SOURCE_DIR OUT_DIR
#
# Each case runs with every worker count in CAMWATCH_GOLDEN_WORKERS (default "1 3"; a developer
# checking a threading change runs e.g. CAMWATCH_GOLDEN_WORKERS="1 2 3 7"); all must be
# byte-identical to the first (else exit 1, naming the file and both counts), whose outputs are
# written. The replay runs in a scratch folder laid out like the repository (config/,
# data/geoip/, captures/), with relative paths, so no temporary path reaches an output and the
# example config is used exactly as shipped. tests/golden/compare.sh diffs OUT_DIR against the
# committed files; scripts/update-golden.sh rewrites them on purpose.
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: $0 CAMWATCH TESTGEN PERL SOURCE_DIR OUT_DIR" >&2
  exit 2
fi
# Absolute paths: the replays run from the scratch folder.
camwatch=$(realpath "$1") testgen=$(realpath "$2") perl=$3 source=$(realpath "$4")
mkdir -p "$5"
out=$(realpath "$5")
read -r -a worker_counts <<<"${CAMWATCH_GOLDEN_WORKERS:-1 3}"
if [ ${#worker_counts[@]} -eq 0 ]; then
  echo "golden: CAMWATCH_GOLDEN_WORKERS is empty: give worker counts, e.g. \"1 2 3 7\"" >&2
  exit 2
fi
for workers in "${worker_counts[@]}"; do
  if ! [[ $workers =~ ^[1-9][0-9]*$ ]]; then
    echo "golden: CAMWATCH_GOLDEN_WORKERS=\"$CAMWATCH_GOLDEN_WORKERS\": '$workers' is not a worker count (1, 2, ...)" >&2
    exit 2
  fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/config" "$scratch/data/geoip" "$scratch/captures" "$scratch/geo" "$out"

# The example config and the files it names, as shipped; the test GeoIP database in the place
# the example config looks for the open data (data/geoip/{country,asn}.mmdb).
cp "$source/config/camwatch.example.yaml" "$source/config/camera-clouds.protos" \
  "$source/config/camera-cloud-names.csv" "$source/config/doh-resolvers.csv" \
  "$source/config/operators.csv" \
  "$source/config/camera-oui.csv" "$scratch/config/"
"$perl" "$source/tests/support/make_test_mmdb.pl" "$scratch/geo" >/dev/null
cp "$scratch/geo/demo-geo.mmdb" "$scratch/data/geoip/country.mmdb"
cp "$scratch/geo/demo-geo.mmdb" "$scratch/data/geoip/asn.mmdb"
# The ground-truth config (tests/integration/configs) with its paths pointing at config/.
sed -e 's#\.\./\.\./\.\./config/##' "$source/tests/integration/configs/ground-truth.yaml" \
  >"$scratch/config/ground-truth.yaml"
# Its geoip: section gets the test GeoIP.
sed -i -e 's#^geoip:$#geoip:\n  country_db: ../data/geoip/country.mmdb\n  asn_db: ../data/geoip/asn.mmdb#' \
  "$scratch/config/ground-truth.yaml"
grep -q 'country_db: ../data/geoip/country.mmdb' "$scratch/config/ground-truth.yaml" ||
  { echo "golden: the ground-truth config has no geoip: section" >&2; exit 2; }

# The captures: the shipped demo capture and what camwatch-testgen makes (the same generator and
# scenarios the other tests use; each is deterministic).
cp "$source/demo/camera-vlan-demo.pcap" "$scratch/captures/demo.pcap"
(
  cd "$scratch/captures"
  "$testgen" basic basic.pcap >/dev/null 2>&1
  "$testgen" basic basic.pcapng --format pcapng >/dev/null 2>&1
  "$testgen" timeouts timeouts.pcap >/dev/null 2>&1
  for link in ethernet sll sll2 raw ipv4 ipv6 null; do
    "$testgen" linktypes "linktypes-$link.pcap" --link "$link" >/dev/null 2>&1
  done
)

outputs=(flows.jsonl alerts.jsonl summary.json destinations.csv report.html)

# replay_case NAME CONFIG CAPTURE...: OUT_DIR/NAME/ from the first worker count, checked against
# every other one.
replay_case() {
  local name=$1 config=$2
  shift 2
  local workers
  for workers in "${worker_counts[@]}"; do
    local dest="$scratch/out-$name-$workers"
    mkdir -p "$dest"
    local status=0
    (cd "$scratch" && "$camwatch" replay -c "config/$config" --workers "$workers" \
      --flows "$dest/flows.jsonl" --alerts "$dest/alerts.jsonl" --summary "$dest/summary.json" \
      --destinations "$dest/destinations.csv" --report "$dest/report.html" "$@" \
      >"$dest/stdout.txt" 2>"$dest/stderr.txt") || status=$?
    if [ "$status" -ne 0 ]; then
      echo "golden: $name: camwatch replay exited $status:" >&2
      cat "$dest/stderr.txt" >&2
      return 1
    fi
  done
  mkdir -p "$out/$name"
  local file first=${worker_counts[0]}
  for file in "${outputs[@]}"; do
    for workers in "${worker_counts[@]:1}"; do
      if ! cmp -s "$scratch/out-$name-$first/$file" "$scratch/out-$name-$workers/$file"; then
        echo "golden: $name: $file differs between --workers $first and --workers $workers" >&2
        return 1
      fi
    done
    cp "$scratch/out-$name-$first/$file" "$out/$name/$file"
  done
  # What changes with every commit (the report's git hash) or with the machine's packages (the
  # versions of libpsl, its list and nDPI in the report's Provenance section).
  sed -i -E -e 's/\(git [0-9a-f]+(-dirty)?\)/(git HASH)/' \
    -e 's#^(<tr><td>(Public Suffix List|nDPI)</td><td class="path"></td><td>)[^<]*#\1VERSION#' \
    "$out/$name/report.html"
}

replay_case demo-example camwatch.example.yaml captures/demo.pcap
replay_case demo-ground-truth ground-truth.yaml captures/demo.pcap
replay_case basic camwatch.example.yaml captures/basic.pcap
replay_case basic-pcapng camwatch.example.yaml captures/basic.pcapng
replay_case timeouts camwatch.example.yaml captures/timeouts.pcap
for link in ethernet sll sll2 raw ipv4 ipv6 null; do
  replay_case "linktypes-$link" camwatch.example.yaml "captures/linktypes-$link.pcap"
done
# Two files merged by time (the demo and `basic` start at the same instant).
replay_case merged-ground-truth ground-truth.yaml captures/demo.pcap captures/basic.pcap
echo "golden: wrote $(find "$out" -type f | wc -l) files under $out (--workers ${worker_counts[*]} agree)"
