#!/bin/sh
# `cpack -G DEB` makes a .deb with the binary, the unit (ExecStart=/usr/bin/camwatch ...), the
# sysusers.d and tmpfiles.d snippets and the config as conffiles; its Depends come from
# dpkg-shlibdeps; its maintainer scripts run sysusers and tmpfiles.
#
#   deb_test.sh CPACK BUILD_DIR SOURCE_DIR
set -eu
cpack=$1
build=$2
source=$3

for tool in dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL: $tool not found: install Debian's dpkg-dev (scripts/setup.sh does)"
        exit 1
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

start=$(date +%s)
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" \
    >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    echo "FAIL: cpack"
    exit 1
fi
echo "ok: cpack took $(($(date +%s) - start)) s"
deb=$(find "$work/out" -maxdepth 1 -name 'camwatch_*.deb' | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no camwatch_*.deb in the cpack output"; exit 1; }
echo "ok: built $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents"
for f in ./usr/bin/camwatch ./etc/camwatch/camwatch.yaml ./etc/camwatch/camera-clouds.protos \
         ./etc/camwatch/camera-oui.csv ./etc/camwatch/camera-cloud-names.csv \
         ./etc/camwatch/operators.csv ./etc/camwatch/doh-resolvers.csv \
         ./etc/camwatch/conf.d/ ./etc/camwatch/conf.d/README \
         ./usr/lib/sysusers.d/camwatch.conf \
         ./usr/lib/tmpfiles.d/camwatch.conf ./usr/share/doc/camwatch/deployment.md; do
    grep -qxF "$f" "$work/contents" || fail "package lacks $f"
done
unit=$(grep '/systemd/system/camwatch.service$' "$work/contents" | head -n 1)
[ -n "$unit" ] || fail "package lacks the systemd unit"
if grep -E '^\./usr/local/|_CPack_Packages' "$work/contents"; then
    fail "package has files outside the /usr layout"
fi

dpkg-deb -f "$deb" Package Architecture Depends >"$work/fields"
cat "$work/fields"
grep -qx 'Package: camwatch' "$work/fields" || fail "Package is not camwatch"
grep -q '^Depends:.*libpcap0\.8' "$work/fields" || fail "Depends lacks libpcap0.8 (shlibdeps)"
grep -q '^Depends:.*libndpi' "$work/fields" || fail "Depends lacks libndpi (shlibdeps)"
grep -q '^Depends:.*systemd' "$work/fields" || fail "Depends lacks systemd"

mkdir "$work/control" "$work/files"
dpkg-deb -e "$deb" "$work/control"
for f in /etc/camwatch/camwatch.yaml /etc/camwatch/camera-clouds.protos \
         /etc/camwatch/camera-oui.csv /etc/camwatch/conf.d/README; do
    grep -qxF "$f" "$work/control/conffiles" || fail "conffiles lacks $f"
done
for script in postinst prerm postrm; do
    [ -x "$work/control/$script" ] || fail "maintainer script $script missing or not executable"
done
grep -q 'systemd-sysusers.*camwatch.conf' "$work/control/postinst" ||
    fail "postinst runs no sysusers"
grep -q 'systemd-tmpfiles.*--create camwatch.conf' "$work/control/postinst" ||
    fail "postinst runs no tmpfiles"

dpkg-deb -x "$deb" "$work/files"
if [ -n "$unit" ]; then
    expected='ExecStart=/usr/bin/camwatch run -c /etc/camwatch/camwatch.yaml'
    grep -qxF "$expected" "$work/files/$unit" || fail "packaged unit: want '$expected'"
    sh "$source/tests/systemd/unit_security_test.sh" "$work/files/$unit" >"$work/security.out" ||
        { cat "$work/security.out"; fail "packaged unit fails the security check"; }
fi
"$work/files/usr/bin/camwatch" version >/dev/null || fail "packaged camwatch does not run"
grep -qxF 'include: [conf.d/*.yaml]' "$work/files/etc/camwatch/camwatch.yaml" ||
    fail "packaged config does not include conf.d/*.yaml"

# Install and purge in a scratch root with dpkg itself: the maintainer scripts run outside a
# chroot with DPKG_ROOT set, as Debian's chrootless bootstrap does, so they must make the user
# and directories in that root and leave the running system alone.
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED dpkg install into a scratch root: needs root"
else
    root=$work/root
    mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
    : >"$root/var/lib/dpkg/status"
    dpkg_scratch() {
        dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@" \
            >>"$work/dpkg.log" 2>&1
    }
    if dpkg_scratch -i "$deb"; then
        grep -q '^camwatch:x:[0-9]*:[0-9]*:.*:/var/lib/camwatch:/usr/sbin/nologin$' \
            "$root/etc/passwd" || fail "postinst made no camwatch user in the scratch root"
        for d in var/lib/camwatch/spool var/lib/camwatch/geoip var/log/camwatch; do
            [ -d "$root/$d" ] || fail "postinst made no /$d"
        done
        if dpkg_scratch --purge camwatch; then
            [ ! -e "$root/etc/camwatch/camwatch.yaml" ] ||
                fail "purge left /etc/camwatch/camwatch.yaml"
            [ -d "$root/var/lib/camwatch" ] || fail "purge removed the state directory"
            echo "ok: dpkg -i and --purge in a scratch root"
        else
            cat "$work/dpkg.log"
            fail "dpkg --purge in a scratch root"
        fi
    else
        cat "$work/dpkg.log"
        fail "dpkg -i in a scratch root"
    fi
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "ok: deb package"
