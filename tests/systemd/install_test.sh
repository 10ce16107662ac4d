#!/bin/sh
# `cmake --install` puts every file where docs/deployment.md says, for a hand install
# (/usr/local) and for the package layout (/usr, with /etc and systemd's unit directory); the
# installed config passes `camwatch check-config`; the installed unit passes the security check;
# and, as root, the sysusers.d and tmpfiles.d snippets make the user and directories in a scratch
# root.
#
#   install_test.sh CMAKE BUILD_DIR SOURCE_DIR
set -eu
cmake=$1
build=$2
source=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
must_exist() { [ -f "$1" ] || fail "missing after install: ${1#"$work"/}"; }

# --- by hand: prefix /usr/local ---
root=$work/local
DESTDIR=$root "$cmake" --install "$build" --prefix /usr/local >"$work/install-local.log"
for f in bin/camwatch etc/camwatch/camwatch.yaml etc/camwatch/camera-clouds.protos \
         etc/camwatch/camera-oui.csv etc/camwatch/camera-cloud-names.csv etc/camwatch/operators.csv \
         etc/camwatch/doh-resolvers.csv etc/camwatch/conf.d/README \
         lib/systemd/system/camwatch.service \
         lib/sysusers.d/camwatch.conf lib/tmpfiles.d/camwatch.conf \
         share/doc/camwatch/README.md share/doc/camwatch/deployment.md \
         share/doc/camwatch/configuration.md share/doc/camwatch/examples/camwatch.yaml; do
    must_exist "$root/usr/local/$f"
done
[ -x "$root/usr/local/bin/camwatch" ] || fail "bin/camwatch is not executable"
[ "$failures" -ne 0 ] ||
    echo "ok: prefix /usr/local: binary, config, unit, sysusers, tmpfiles and docs installed"
unit=$root/usr/local/lib/systemd/system/camwatch.service
expected='ExecStart=/usr/local/bin/camwatch run -c /usr/local/etc/camwatch/camwatch.yaml'
grep -qxF "$expected" "$unit" ||
    fail "$unit: want '$expected', have '$(grep '^ExecStart=' "$unit")'"
if [ -d "$source/dashboards" ] && [ ! -d "$root/usr/local/share/camwatch/dashboards" ]; then
    fail "dashboards/ exists but was not installed"
fi

config=$root/usr/local/etc/camwatch/camwatch.yaml
if grep -n '\.\./' "$config"; then fail "installed config has a path outside /etc/camwatch"; fi
grep -q 'country_db: /var/lib/camwatch/geoip/country.mmdb' "$config" ||
    fail "installed config: geoip.country_db is not /var/lib/camwatch/geoip/country.mmdb"
grep -q 'asn_db: /var/lib/camwatch/geoip/asn.mmdb' "$config" ||
    fail "installed config: geoip.asn_db is not /var/lib/camwatch/geoip/asn.mmdb"
# The GeoIP files are not there (they never are before the operator copies them in): that is only
# a notice at run time, so check-config must still pass. The protocols and OUI files are read
# from next to the config.
if "$root/usr/local/bin/camwatch" check-config -c "$config" >"$work/check.out" 2>&1; then
    grep -qF "protocols_file: '$root/usr/local/etc/camwatch/camera-clouds.protos'" \
        "$work/check.out" ||
        fail "check-config did not resolve dpi.protocols_file next to the config"
else
    cat "$work/check.out"
    fail "camwatch check-config rejects the installed config"
fi
# A shared fragment dropped into conf.d/ is merged into the installed config (its include line).
cat >"$root/usr/local/etc/camwatch/conf.d/10-fleet.yaml" <<'YAML'
groups:
  fleet-cams:
    networks: [10.77.0.0/16]
YAML
if "$root/usr/local/bin/camwatch" check-config -c "$config" >"$work/check-conf.d.out" 2>&1; then
    grep -qF "including $root/usr/local/etc/camwatch/conf.d/10-fleet.yaml" \
        "$work/check-conf.d.out" || fail "check-config does not name the conf.d file it merged"
    grep -qF 'networks: [10.77.0.0/16]' "$work/check-conf.d.out" ||
        fail "the conf.d fragment's group is not in the effective config"
else
    cat "$work/check-conf.d.out"
    fail "camwatch check-config rejects the installed config with a conf.d fragment"
fi
rm "$root/usr/local/etc/camwatch/conf.d/10-fleet.yaml"
sh "$source/tests/systemd/unit_security_test.sh" "$unit" >"$work/security.out" ||
    { cat "$work/security.out"; fail "installed unit fails the security check"; }

# --- package layout: prefix /usr ---
root=$work/usr
DESTDIR=$root "$cmake" --install "$build" --prefix /usr >"$work/install-usr.log"
for f in usr/bin/camwatch etc/camwatch/camwatch.yaml etc/camwatch/camera-clouds.protos \
         etc/camwatch/camera-oui.csv etc/camwatch/camera-cloud-names.csv etc/camwatch/operators.csv \
         etc/camwatch/doh-resolvers.csv usr/lib/sysusers.d/camwatch.conf \
         usr/lib/tmpfiles.d/camwatch.conf usr/share/doc/camwatch/deployment.md; do
    must_exist "$root/$f"
done
unit=$(find "$root" -path '*/systemd/system/camwatch.service' | head -n 1)
if [ -z "$unit" ]; then
    fail "prefix /usr: no systemd/system/camwatch.service installed"
else
    expected='ExecStart=/usr/bin/camwatch run -c /etc/camwatch/camwatch.yaml'
    grep -qxF "$expected" "$unit" || fail "$unit: want '$expected'"
    echo "ok: prefix /usr puts the unit in ${unit#"$root"}"
fi

# --- sysusers.d and tmpfiles.d, applied to the /usr scratch root ---
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED sysusers/tmpfiles: chown in a scratch root needs root"
elif ! command -v systemd-sysusers >/dev/null 2>&1 ||
     ! command -v systemd-tmpfiles >/dev/null 2>&1; then
    fail "systemd-sysusers or systemd-tmpfiles not found (Debian's systemd package)"
else
    mkdir -p "$root/etc"
    systemd-sysusers --root="$root" - <"$root/usr/lib/sysusers.d/camwatch.conf" >/dev/null
    entry=$(grep '^camwatch:' "$root/etc/passwd" || true)
    case $entry in
        camwatch:x:*:*:*:/var/lib/camwatch:/usr/sbin/nologin) echo "ok: sysusers: $entry" ;;
        *) fail "sysusers: camwatch user is '$entry'" ;;
    esac
    uid=$(echo "$entry" | cut -d: -f3)
    systemd-tmpfiles --root="$root" --create - <"$root/usr/lib/tmpfiles.d/camwatch.conf"
    for d in var/lib/camwatch var/lib/camwatch/spool var/lib/camwatch/geoip var/log/camwatch; do
        got=$(stat -c '%a %u' "$root/$d" 2>/dev/null || echo missing)
        [ "$got" = "750 $uid" ] || fail "tmpfiles: /$d is '$got', want '750 $uid'"
    done
    [ "$failures" -ne 0 ] ||
        echo "ok: tmpfiles: state, spool, geoip and log directories 0750 camwatch"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "ok: install tree"
