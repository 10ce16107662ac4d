#!/usr/bin/env bash
# The first command a new user runs: sets everything up, builds a Release camwatch, and replays
# the bundled demo capture of a camera VLAN with the bundled example config.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
# Open GeoIP data (country + ASN) from the npm registry into data/geoip/; skipped when present.
# Without it the demo still runs, only without countries and ASNs.
scripts/fetch-geoip.sh || echo "demo: GeoIP data could not be fetched; continuing without it" >&2
mkdir -p build/demo-output
exec build/release/daemon/camwatch replay -c config/camwatch.example.yaml \
  --flows build/demo-output/flows.jsonl --alerts build/demo-output/alerts.jsonl \
  --summary build/demo-output/summary.json --report build/demo-output/report.html \
  --destinations build/demo-output/destinations.csv demo/camera-vlan-demo.pcap
