#!/usr/bin/env bash
# Installs what camwatch needs on Debian 12 (only the packages that are missing), then
# configures and builds one CMake preset (default: release). Safe to run again and again.
#
#   scripts/setup.sh [PRESET]      PRESET: release (default), ci, dev, asan-ubsan, tsan, fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(
  # build
  build-essential cmake ninja-build pkg-config git clang clang-format clang-tidy
  # the asan-ubsan and fuzz presets: clang 14 with libFuzzer and the sanitizer runtimes
  # (docs/fuzzing.md)
  clang-14 libclang-rt-14-dev llvm-14
  # libraries camwatch links
  libpcap-dev libndpi-dev libmaxminddb-dev libcli11-dev nlohmann-json3-dev libspdlog-dev
  libfmt-dev libexpected-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev prometheus-cpp-dev libcivetweb-dev
  libsystemd-dev zlib1g-dev libpsl-dev publicsuffix
  # IPFIX export of flow records: libfixbuf encodes the messages (docs/ipfix.md)
  libfixbuf-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libndpi-bin tshark tcpdump curl time python3
  # live capture tests: veth pairs in network namespaces (ip netns), replayed captures
  iproute2 tcpreplay
  # nft: the `baseline export --format nftables` tests check and load the ruleset in network
  # namespaces (tests/scripts/nftables_enforce_test.sh, integration/baseline_test.cc)
  nftables
  # GeoIP test databases and the ASN database built from open data
  libmaxmind-db-writer-perl mmdb-bin
  # a real Alertmanager for the alert delivery tests (run on a loopback port by the tests)
  prometheus-alertmanager
  # a real syslog daemon for the syslog sink tests (rsyslogd on a unix socket in a temp dir, and
  # on loopback UDP, TCP and TLS ports: its gtls driver is in rsyslog-gnutls)
  rsyslog rsyslog-gnutls
  # IPFIX export tests: Debian's nfdump collector (nfcapd, nfdump) on a loopback port, and
  # libfixbuf's ipfixDump reading the enterprise elements (tests/integration/ipfix_test.cc)
  nfdump libfixbuf-tools
  # the TLS front for scraping /metrics across the network (Debian 12's civetweb cannot do TLS
  # with OpenSSL 3, docs/metrics.md): stunnel on loopback in tests/integration/metrics_tls_test.cc
  stunnel4
  # promtool (rules checks and unit tests) and a real Prometheus the dashboard test runs on a
  # loopback port (dashboards/, docs/grafana.md)
  prometheus
  # headless Chromium: the report test opens `replay --report`'s HTML offline, checks the console
  # and counts the chart colours in a screenshot (tests/integration/report_test.cc)
  chromium
  # the report screenshot test renders with DejaVu only (tests/golden/README.md, "Screens")
  fonts-dejavu-core
  # pdftotext: the report test reads the text of `replay --report-pdf`'s PDF
  # (tests/integration/report_pdf_test.cc)
  poppler-utils
  # deployment tests: systemd-analyze, sysusers, tmpfiles (nothing is started); dpkg-shlibdeps
  systemd dpkg-dev
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done
# npm fetches the open GeoIP data. Some machines have Node.js from elsewhere, whose package
# conflicts with Debian's npm: only ask for npm when there is none.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  # tshark asks whether non-root users may capture; the default (no) is right for a sensor.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

# Debian's prometheus package enables and starts its own server on :9090; the tests start their
# own on loopback ports the kernel picks, so a test machine does not need it running. Stop it only when we
# installed the package just now (someone else's Prometheus is left alone).
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 &&
  [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
# Debian's rsyslog package enables and starts the system rsyslogd, which copies the journal into
# /var/log. The tests run their own rsyslogd on a private socket and never use the system one,
# so a test machine does not need it: stop it likewise only when we installed it just now.
if [[ " ${missing[*]} " == *" rsyslog "* ]] && command -v systemctl >/dev/null 2>&1 &&
  [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now rsyslog >/dev/null 2>&1 || true
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
