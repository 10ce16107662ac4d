#!/usr/bin/env bash
# Fetches the open GeoIP data camwatch uses by default into data/geoip/ (gitignored):
#
#   data/geoip/country.mmdb  IP -> country, the MMDB of @ip-location-db/geo-whois-asn-country-mmdb
#   data/geoip/asn.mmdb      IP -> AS number + organisation, built here from the CSVs of
#                            @ip-location-db/asn by scripts/csv-to-asn-mmdb.pl
#   data/geoip/SOURCES.txt   package names, versions, licences and the attribution they ask for,
#                            and the result of the checks below
#
#   scripts/fetch-geoip.sh [--force] [--out DIR] [--country-from PATH] [--asn-from PATH]
#
#   --force              fetch and rebuild even when the files exist
#   --out DIR            write into DIR instead of data/geoip
#   --country-from PATH  take the country package from PATH instead of the npm registry: a
#   --asn-from PATH      tarball as `npm pack` writes it, or an unpacked package folder (holding
#                        package.json). That database is then always rebuilt. For machines
#                        without the registry, and for the tests, which feed small fixtures.
#
# After building, a few well-known addresses are looked up (mmdblookup, Debian: mmdb-bin) and
# compared with their long-standing country and AS; a package whose version is months old, or
# whose README opens with a caution notice, is pointed out too. These are warnings, printed and
# written into SOURCES.txt: the exit status stays 0, so the demo still runs (docs/geoip.md says
# what to use instead).
#
# Needs npm (unless both packages come from local paths) and Debian's libmaxmind-db-writer-perl.
# A database that is already there is skipped, so this is safe to run again and again. Files
# appear atomically: an interrupted run leaves no half-written database. To use MaxMind GeoLite2
# instead, point geoip.country_db / geoip.asn_db at those files (docs/geoip.md); nothing here is
# needed then.
set -euo pipefail

usage() {
  echo "usage: scripts/fetch-geoip.sh [--force] [--out DIR] [--country-from PATH] [--asn-from PATH]" >&2
  exit 2
}

force=0
out=data/geoip
country_from=
asn_from=
# Paths given are resolved before the cd below, so they are relative to the caller's directory.
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --out | --country-from | --asn-from)
      if [ $# -lt 2 ] || [ -z "$2" ]; then usage; fi
      path=$(realpath -m -- "$2")
      case "$1" in
        --out) out=$path ;;
        --country-from) country_from=$path ;;
        --asn-from) asn_from=$path ;;
      esac
      shift
      ;;
    *) usage ;;
  esac
  shift
done
cd "$(dirname "$0")/.."

country_package=@ip-location-db/geo-whois-asn-country-mmdb
asn_package=@ip-location-db/asn
# ip-location-db published daily; data this much older than today has stopped being updated.
stale_days=90

fail() { echo "fetch-geoip: $*" >&2; exit 1; }
warn() { echo "fetch-geoip: WARNING: $*" >&2; }

need_country=$force
need_asn=$force
[ -n "$country_from" ] && need_country=1
[ -n "$asn_from" ] && need_asn=1
[ -s "$out/country.mmdb" ] && [ -s "$out/.sources/country.txt" ] || need_country=1
[ -s "$out/asn.mmdb" ] && [ -s "$out/.sources/asn.txt" ] || need_asn=1
if [ "$need_country" = 0 ] && [ "$need_asn" = 0 ] && [ -s "$out/SOURCES.txt" ]; then
  echo "fetch-geoip: $out/country.mmdb and $out/asn.mmdb are present; skipped (--force refetches)"
  exit 0
fi

if { [ "$need_country" = 1 ] && [ -z "$country_from" ]; } ||
  { [ "$need_asn" = 1 ] && [ -z "$asn_from" ]; }; then
  command -v npm >/dev/null ||
    fail "npm not found: it fetches the databases from the npm registry (Debian: apt-get install npm)"
fi
if [ "$need_asn" = 1 ]; then
  perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null ||
    fail "the Perl module MaxMind::DB::Writer::Tree is missing (Debian: apt-get install libmaxmind-db-writer-perl)"
fi

mkdir -p "$out/.sources"
work=$(mktemp -d "${TMPDIR:-/tmp}/camwatch-geoip.XXXXXX")
trap 'rm -rf "$work"' EXIT

package_field() {  # package_field DIR FIELD: a top-level string field of DIR/package/package.json
  perl -MJSON::PP -e '
    open(my $in, "<", $ARGV[0]) or die; local $/; my $p = decode_json(<$in>);
    print $p->{$ARGV[1]} // "?"' "$work/$1/package/package.json" "$2" 2>/dev/null || echo '?'
}

# get_package PACKAGE DIR [SOURCE]: puts the package's files into $work/DIR/package/ and sets
# $origin to where they came from. Without SOURCE, npm pack downloads the package tarball
# (integrity-checked against the registry's hash) without installing or running anything.
get_package() {
  local package=$1 dir=$2 source=${3:-} tarball name
  mkdir -p "$work/$dir"
  if [ -z "$source" ]; then
    echo "fetch-geoip: npm pack $package"
    if ! tarball=$(cd "$work" && npm pack --loglevel=error "$package" 2>"$work/npm-error.txt"); then
      cat "$work/npm-error.txt" >&2
      fail "npm pack $package failed: is the npm registry reachable (npm config get registry: $(npm config get registry 2>/dev/null || echo '?'))?"
    fi
    tarball=$(printf '%s\n' "$tarball" | tail -n 1)
    [ -s "$work/$tarball" ] || fail "npm pack $package: expected the tarball $work/$tarball"
    tar -xzf "$work/$tarball" -C "$work/$dir" || fail "$work/$tarball: not a gzip'd tar archive"
    origin="npm registry"
  elif [ -d "$source" ]; then
    echo "fetch-geoip: $package from the folder $source"
    if [ -f "$source/package.json" ]; then
      ln -s "$source" "$work/$dir/package"
    elif [ -f "$source/package/package.json" ]; then
      ln -s "$source/package" "$work/$dir/package"
    else
      fail "$source: not an npm package folder (no package.json in it or in its package/)"
    fi
    origin="local folder $source"
  elif [ -f "$source" ]; then
    echo "fetch-geoip: $package from $source"
    tar -xzf "$source" -C "$work/$dir" 2>"$work/tar-error.txt" ||
      fail "$source: not a gzip'd tar archive ($(head -n 1 "$work/tar-error.txt"))"
    [ -f "$work/$dir/package/package.json" ] ||
      fail "$source: not an npm package tarball (no package/package.json in it)"
    origin="local file $source"
  else
    fail "$source: no such file or folder (given for $package)"
  fi
  # A local path could hold the wrong package; its files would then be taken for this one's.
  name=$(package_field "$dir" name)
  [ "$name" = "$package" ] ||
    fail "${source:-npm pack $package}: the package is '$name', expected $package"
}

# notice DIR: the block quote the package's README opens with when it is a caution or warning
# (GitHub's "> [!CAUTION]" alert): ip-location-db announces data problems there.
notice() {
  [ -f "$work/$1/package/README.md" ] || return 0
  awk '!started && NF == 0 { next }
       /^>/ { started = 1; block = block $0 "\n"; next }
       { exit }
       END { if (block ~ /\[!(CAUTION|WARNING)\]/) printf "%s", block }' \
    "$work/$1/package/README.md"
}

# describe_package PACKAGE DIR: the provenance lines of SOURCES.txt (package, where from, age,
# README notice); warns about an old version and a README notice.
describe_package() {
  local package=$1 dir=$2 version date age text headline
  version=$(package_field "$dir" version)
  echo "  package:  $package@$version ($origin; upstream github.com/sapics/ip-location-db)"
  # ip-location-db's versions end in the data's date and hour: 2.3.2026061719 is 2026-06-17 19h.
  if [[ $version =~ \.(20[0-9]{2})([01][0-9])([0-3][0-9])[0-2][0-9]$ ]] &&
    date=$(date -u -d "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]}" +%F 2>/dev/null); then
    age=$((($(date -u +%s) - $(date -u -d "$date" +%s)) / 86400))
    echo "  data of:  $date (going by the version; $age days old when fetched)"
    if [ "$age" -gt "$stale_days" ]; then
      warn "$package@$version is $age days old (data of $date): addresses that changed hands" \
        "since then show their old owner or country; docs/geoip.md lists current sources"
    fi
  else
    echo "  data of:  unknown (the version does not end in a date)"
  fi
  text=$(notice "$dir")
  if [ -n "$text" ]; then
    echo "  notice:   the package's README opens with this notice (see docs/geoip.md):"
    printf '%s\n' "$text" | sed 's/^/            /'
    # Its first line of text after the "[!CAUTION]" marker is the headline.
    headline=$(printf '%s\n' "$text" | sed -n 's/^> *//; /^\[!/d; s/\*//g; /[^ ]/{p;q}')
    warn "$package@$version: its README opens with a caution notice: \"$headline\"" \
      "(copied into $out/SOURCES.txt; see docs/geoip.md)"
  fi
}

if [ "$need_country" = 1 ]; then
  get_package "$country_package" country "$country_from"
  source_file="$work/country/package/geo-whois-asn-country.mmdb"
  [ -s "$source_file" ] || fail "$country_package: expected geo-whois-asn-country.mmdb in the package"
  version=$(package_field country version)
  cp "$source_file" "$out/country.mmdb.tmp"
  mv "$out/country.mmdb.tmp" "$out/country.mmdb"
  {
    echo "country.mmdb"
    describe_package "$country_package" country
    echo "  file:     geo-whois-asn-country.mmdb (field country_code, IPv4 + IPv6)"
    echo "  licence:  the package declares $(package_field country license); its README credits the"
    echo "            underlying RIR data to the NRO under CC BY 4.0, and the package ships NRO_LICENSE:"
    if [ -s "$work/country/package/NRO_LICENSE" ]; then
      sed 's/^/            /' "$work/country/package/NRO_LICENSE"
      echo  # the notice files end without a newline
    else
      echo "            (missing from this copy of the package)"
    fi
    echo
  } >"$out/.sources/country.txt"
  echo "fetch-geoip: $out/country.mmdb ($version, $(du -h "$out/country.mmdb" | cut -f1))"
fi

if [ "$need_asn" = 1 ]; then
  get_package "$asn_package" asn "$asn_from"
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
    describe_package "$asn_package" asn
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

# Known answers: addresses whose country and AS have not changed in many years, from three RIRs,
# IPv4 and IPv6. A wrong answer here says the data is broken (a bad upstream build, a changed
# format), not that the world changed.
country_checks=(  # address, expected country
  "8.8.8.8 US"               # Google Public DNS (ARIN)
  "2001:4860:4860::8888 US"
  "193.0.14.129 NL"          # k.root-servers.net: RIPE NCC, Amsterdam
  "2001:7fd::1 NL"
  "133.11.0.1 JP"            # University of Tokyo (APNIC, JPNIC)
)
asn_checks=(  # address, expected AS number, a word the AS's organisation contains
  "8.8.8.8 15169 Google"
  "2001:4860:4860::8888 15169 Google"
  "1.1.1.1 13335 Cloudflare"
  "2606:4700:4700::1111 13335 Cloudflare"
  "9.9.9.9 19281 Quad9"
  "2620:fe::fe 19281 Quad9"
  "193.0.14.129 25152 RIPE"
)

# mmdb_value FILE ADDRESS KEY: the top-level KEY of ADDRESS's record, strings without their
# quotes; empty when the address or the key is not there. mmdblookup prints `  "US" <utf8_string>`.
mmdb_value() {
  { mmdblookup --file "$1" --ip "$2" "$3" 2>/dev/null || true; } |
    sed -n 's/^ *\(.*\) <[a-z0-9_]*>$/\1/p' | sed -n '1{s/^"\(.*\)"$/\1/;p}'
}

checked=0
wrong=0
results=()
note_result() {  # note_result OK? TEXT [GOT]
  checked=$((checked + 1))
  if [ "$1" = 1 ]; then
    results+=("  ok     $2")
  else
    wrong=$((wrong + 1))
    results+=("  WRONG  $2: got $3")
    warn "$2: got $3"
  fi
}
if command -v mmdblookup >/dev/null; then
  for entry in "${country_checks[@]}"; do
    read -r address country <<<"$entry"
    got=$(mmdb_value "$out/country.mmdb" "$address" country_code)
    [ "$got" = "$country" ] && ok=1 || ok=0
    note_result "$ok" "$address in $out/country.mmdb: expected country $country" "${got:-no country}"
  done
  for entry in "${asn_checks[@]}"; do
    read -r address asn word <<<"$entry"
    got_asn=$(mmdb_value "$out/asn.mmdb" "$address" autonomous_system_number)
    got_org=$(mmdb_value "$out/asn.mmdb" "$address" autonomous_system_organization)
    [ "$got_asn" = "$asn" ] && [[ ${got_org,,} == *"${word,,}"* ]] && ok=1 || ok=0
    got="no AS"
    [ -z "$got_asn" ] || got="AS$got_asn"
    note_result "$ok" "$address in $out/asn.mmdb: expected AS$asn ($word)" \
      "$got (${got_org:-no organisation})"
  done
  if [ "$wrong" = 0 ]; then
    checks="$checked of $checked known addresses as expected"
    echo "fetch-geoip: checked $checked well-known addresses: all as expected"
  else
    checks="$wrong of $checked known addresses NOT as expected: the data may be wrong"
    warn "$wrong of $checked well-known addresses did not resolve as expected: the data may be" \
      "wrong; camwatch uses it anyway (docs/geoip.md lists other sources)"
  fi
else
  checks="not run: mmdblookup (Debian: mmdb-bin) is not installed"
  warn "mmdblookup not found (Debian: apt-get install mmdb-bin): the databases were not checked"
fi

{
  echo "GeoIP data for camwatch, fetched by scripts/fetch-geoip.sh. Not part of the repository."
  echo "Attribution: IP to ASN data by RouteViews (routeviews.org), DB-IP (db-ip.com: \"IP"
  echo "Geolocation by DB-IP\") and the NRO (nro.net), CC BY 4.0; country data by ip-location-db"
  echo "(github.com/sapics/ip-location-db) from NRO RIR data."
  echo
  echo "Checks ($(date -u +%FT%TZ)): $checks"
  [ ${#results[@]} = 0 ] || printf '%s\n' "${results[@]}"
  echo
  cat "$out/.sources/country.txt" "$out/.sources/asn.txt"
} >"$out/SOURCES.txt.tmp"
mv "$out/SOURCES.txt.tmp" "$out/SOURCES.txt"
echo "fetch-geoip: $out/SOURCES.txt lists the packages, versions, licences and checks"
