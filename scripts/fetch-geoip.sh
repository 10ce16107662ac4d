#!/usr/bin/env bash
# Fetches the open GeoIP data camwatch uses by default into data/geoip/ (gitignored):
#
#   data/geoip/country.mmdb  IP -> country, the MMDB of @ip-location-db/geo-whois-asn-country-mmdb
#   data/geoip/asn.mmdb      IP -> AS number + organisation, built here from the CSVs of
#                            @ip-location-db/asn by scripts/csv-to-asn-mmdb.pl
#   data/geoip/SOURCES.txt   package names, versions, licences and the attribution they ask for
#
#   scripts/fetch-geoip.sh [--force]     --force: fetch and rebuild even when the files exist
#
# Needs npm (the packages come from the npm registry, which mirrors them) and Debian's
# libmaxmind-db-writer-perl. A database that is already there is skipped, so this is safe to run
# again and again. Files appear atomically: an interrupted run leaves no half-written database.
# To use MaxMind GeoLite2 instead, point geoip.country_db / geoip.asn_db at those files
# (docs/geoip.md); nothing here is needed then.
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
case "${1:-}" in
  '') ;;
  --force) force=1 ;;
  *) echo "usage: scripts/fetch-geoip.sh [--force]" >&2; exit 2 ;;
esac

out=data/geoip
country_package=@ip-location-db/geo-whois-asn-country-mmdb
asn_package=@ip-location-db/asn

fail() { echo "fetch-geoip: $*" >&2; exit 1; }

need_country=$force
need_asn=$force
[ -s "$out/country.mmdb" ] && [ -s "$out/.sources/country.txt" ] || need_country=1
[ -s "$out/asn.mmdb" ] && [ -s "$out/.sources/asn.txt" ] || need_asn=1
if [ "$need_country" = 0 ] && [ "$need_asn" = 0 ] && [ -s "$out/SOURCES.txt" ]; then
  echo "fetch-geoip: $out/country.mmdb and $out/asn.mmdb are present; skipped (--force refetches)"
  exit 0
fi

command -v npm >/dev/null ||
  fail "npm not found: it fetches the databases from the npm registry (Debian: apt-get install npm)"
if [ "$need_asn" = 1 ]; then
  perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null ||
    fail "the Perl module MaxMind::DB::Writer::Tree is missing (Debian: apt-get install libmaxmind-db-writer-perl)"
fi

mkdir -p "$out/.sources"
work=$(mktemp -d "${TMPDIR:-/tmp}/camwatch-geoip.XXXXXX")
trap 'rm -rf "$work"' EXIT

# npm pack downloads the package tarball (integrity-checked against the registry's hash) without
# installing anything; prints the tarball name. Unpacks it into $work/<dir>/package/.
fetch_package() {
  local package=$1 dir=$2 tarball
  echo "fetch-geoip: npm pack $package"
  if ! tarball=$(cd "$work" && npm pack --loglevel=error "$package" 2>"$work/npm-error.txt"); then
    cat "$work/npm-error.txt" >&2
    fail "npm pack $package failed: is the npm registry reachable (npm config get registry: $(npm config get registry 2>/dev/null || echo '?'))?"
  fi
  tarball=$(printf '%s\n' "$tarball" | tail -n 1)
  [ -s "$work/$tarball" ] || fail "npm pack $package: expected the tarball $work/$tarball"
  mkdir -p "$work/$dir"
  tar -xzf "$work/$tarball" -C "$work/$dir" || fail "$work/$tarball: not a gzip'd tar archive"
}

package_field() {  # package_field DIR FIELD: a top-level string field of DIR/package/package.json
  node -e 'const p = require(process.argv[1]); process.stdout.write(String(p[process.argv[2]] ?? "?"))' \
    "$work/$1/package/package.json" "$2"
}

if [ "$need_country" = 1 ]; then
  fetch_package "$country_package" country
  source_file="$work/country/package/geo-whois-asn-country.mmdb"
  [ -s "$source_file" ] || fail "$country_package: expected geo-whois-asn-country.mmdb in the package"
  version=$(package_field country version)
  cp "$source_file" "$out/country.mmdb.tmp"
  mv "$out/country.mmdb.tmp" "$out/country.mmdb"
  {
    echo "country.mmdb"
    echo "  package:  $country_package@$version (npm registry; upstream github.com/sapics/ip-location-db)"
    echo "  file:     geo-whois-asn-country.mmdb (field country_code, IPv4 + IPv6)"
    echo "  licence:  the package declares $(package_field country license); its README credits the"
    echo "            underlying RIR data to the NRO under CC BY 4.0, and the package ships NRO_LICENSE:"
    sed 's/^/            /' "$work/country/package/NRO_LICENSE"
    echo  # the notice files end without a newline
    echo
  } >"$out/.sources/country.txt"
  echo "fetch-geoip: $out/country.mmdb ($version, $(du -h "$out/country.mmdb" | cut -f1))"
fi

if [ "$need_asn" = 1 ]; then
  fetch_package "$asn_package" asn
  for csv in asn-ipv4.csv asn-ipv6.csv; do
    [ -s "$work/asn/package/$csv" ] || fail "$asn_package: expected $csv in the package"
  done
  version=$(package_field asn version)
  echo "fetch-geoip: building $out/asn.mmdb from $asn_package@$version (about 20 s)"
  start=$(date +%s.%N)
  perl scripts/csv-to-asn-mmdb.pl --source "$asn_package@$version" "$out/asn.mmdb" \
    "$work/asn/package/asn-ipv4.csv" "$work/asn/package/asn-ipv6.csv" ||
    fail "building $out/asn.mmdb from $asn_package@$version failed"
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  {
    echo "asn.mmdb"
    echo "  package:  $asn_package@$version (npm registry; upstream github.com/sapics/ip-location-db)"
    echo "  built:    by scripts/csv-to-asn-mmdb.pl from asn-ipv4.csv + asn-ipv6.csv"
    echo "            (fields autonomous_system_number, autonomous_system_organization)"
    echo "  licence:  the package declares \"$(package_field asn license)\"; it ships these notices:"
    for notice in ROUTEVIEWS-LICENSE DBIP-LICENSE NRO_LICENSE MODIFICATIONS; do
      if [ -s "$work/asn/package/$notice" ]; then
        echo "  --- $notice"
        sed 's/^/            /' "$work/asn/package/$notice"
        echo  # the notice files end without a newline
      fi
    done
    echo
  } >"$out/.sources/asn.txt"
  echo "fetch-geoip: $out/asn.mmdb ($version, $(du -h "$out/asn.mmdb" | cut -f1), built in ${seconds}s)"
fi

{
  echo "GeoIP data for camwatch, fetched by scripts/fetch-geoip.sh. Not part of the repository."
  echo "Attribution: IP to ASN data by RouteViews (routeviews.org), DB-IP (db-ip.com: \"IP"
  echo "Geolocation by DB-IP\") and the NRO (nro.net), CC BY 4.0; country data by ip-location-db"
  echo "(github.com/sapics/ip-location-db) from NRO RIR data."
  echo
  cat "$out/.sources/country.txt" "$out/.sources/asn.txt"
} >"$out/SOURCES.txt.tmp"
mv "$out/SOURCES.txt.tmp" "$out/SOURCES.txt"
echo "fetch-geoip: $out/SOURCES.txt lists the packages, versions and licences"
