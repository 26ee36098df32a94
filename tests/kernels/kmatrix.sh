#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# kmatrix.sh: boot Debian kernels under qemu (TCG) and run a guest test script
# against a (static) netsleuth binary. See tests/kernels/README.md.
#
#   tests/kernels/kmatrix.sh [--kernels "6.1 6.12"] --binary PATH
#                            --guest-script PATH [--cache DIR] [options]
#
# Kernel packages come from the apt sources already configured on this host
# (Debian 12: bookworm-security carries both linux-image-6.1.0-*-amd64 and
# linux-image-6.12.*+deb12-amd64, so no extra source list is needed). Nothing
# is added to the system apt sources. Packages are fetched with
# `apt-get download` into the cache once and extracted there; later runs reuse
# the extracted tree and download nothing.
#
# Exit status: 0 if every kernel that ran passed, 1 if one failed or none
# could be run, 2 on bad arguments. A kernel whose package cannot be found or
# downloaded is reported as SKIP and does not fail the run by itself.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SELF_DIR/../.." && pwd)

KERNELS="6.1 6.12"
BINARY=""
GUEST_SCRIPT=""
CACHE=/var/cache/netsleuth-kmatrix
LOGDIR=""
FLAVOUR=amd64
TIMEOUT=300
MEM=1G
SMP=2
VERBOSE=0
TCPSTORM=""
APPEND=""
EXTRA_MODULES=""
EXTRA_FILES=()
# Host tools copied into the guest with their shared libraries (ldd); missing
# ones are skipped with a note. iproute2 `ip` is needed: busybox `ip` cannot
# create veth pairs or network namespaces.
HOST_BINS="ip tc bridge ss nft xtables-nft-multi xtables-legacy-multi bpftool conntrack"

# Modules loaded at boot, in dependency order (dependencies come from
# modules.dep). Names that are built in or absent in a kernel are reported
# and skipped. br_netfilter is shipped but not loaded (it changes bridge
# forwarding semantics): `modprobe br_netfilter` in the guest script.
BOOT_MODULES="
 veth bridge stp llc vxlan udp_tunnel ip6_udp_tunnel macvlan ipvlan dummy tun 8021q
 ipv6 nf_conntrack nf_nat nf_tables nf_defrag_ipv4 nf_defrag_ipv6 nf_reject_ipv4
 nf_reject_ipv6 nf_conntrack_netlink nfnetlink
 nft_ct nft_nat nft_masq nft_chain_nat nft_reject nft_reject_inet nft_reject_ipv4
 nft_reject_ipv6 nft_compat nft_counter nft_fib nft_fib_inet nft_fib_ipv4 nft_fib_ipv6
 nft_limit nft_log nft_redir
 x_tables ip_tables ip6_tables iptable_nat iptable_filter iptable_raw iptable_mangle
 ip6table_nat ip6table_filter ip6table_raw
 xt_MASQUERADE xt_conntrack xt_nat xt_addrtype xt_tcpudp xt_comment xt_REJECT
 ipt_REJECT ip6t_REJECT xt_state xt_mark xt_CT xt_LOG xt_multiport
 sch_ingress cls_bpf act_bpf sch_netem
"
SHIP_ONLY_MODULES="br_netfilter"

usage() {
	cat >&2 <<EOF
usage: $0 [--kernels "6.1 6.12"] --binary PATH --guest-script PATH [options]

  --kernels LIST       kernel series or exact ABIs, e.g. "6.1 6.12" (newest in
                       the apt lists) or "6.1.0-56 6.12.117+deb12"  [$KERNELS]
  --binary PATH        static netsleuth binary, installed as /bin/netsleuth
  --guest-script PATH  shell script run in the guest as /test.sh (busybox sh)
  --cache DIR          kernel cache, reused between runs  [$CACHE]
  --logdir DIR         where guest logs go  [CACHE/logs]
  --flavour F          Debian kernel flavour  [$FLAVOUR]
  --timeout SEC        hard limit per kernel boot  [$TIMEOUT]
  --mem SIZE --smp N   guest memory / CPUs  [$MEM / $SMP]
  --modules "M ..."    extra modules to load at boot (with dependencies)
  --file SRC:DEST      extra file in the guest (repeatable)
  --tcpstorm PATH      prebuilt static tcpstorm (default: build it)
  --append "ARGS"      extra kernel command line (KEY=VAL becomes init env)
  -v, --verbose        always print the guest test output (default: on FAIL)
EOF
	exit 2
}

die() { echo "kmatrix: $*" >&2; exit 2; }
note() { echo "kmatrix: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	-v|--verbose|-h|--help) ;;
	-*) [ $# -ge 2 ] || usage ;;
	esac
	case "$1" in
	--kernels) KERNELS=$2; shift 2 ;;
	--binary) BINARY=$2; shift 2 ;;
	--guest-script) GUEST_SCRIPT=$2; shift 2 ;;
	--cache) CACHE=$2; shift 2 ;;
	--logdir) LOGDIR=$2; shift 2 ;;
	--flavour|--flavor) FLAVOUR=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--modules) EXTRA_MODULES=$2; shift 2 ;;
	--file) EXTRA_FILES+=("$2"); shift 2 ;;
	--tcpstorm) TCPSTORM=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	-v|--verbose) VERBOSE=1; shift ;;
	-h|--help) usage ;;
	*) echo "kmatrix: unknown argument '$1'" >&2; usage ;;
	esac
done

[ -n "$BINARY" ] && [ -n "$GUEST_SCRIPT" ] || usage
[ -f "$BINARY" ] || die "--binary $BINARY: no such file"
[ -f "$GUEST_SCRIPT" ] || die "--guest-script $GUEST_SCRIPT: no such file"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be seconds"
[ "$(id -u)" = 0 ] || die "must run as root (mknod, apt-get, depmod)"
[ -z "$LOGDIR" ] && LOGDIR=$CACHE/logs
BINARY=$(readlink -f "$BINARY")
GUEST_SCRIPT=$(readlink -f "$GUEST_SCRIPT")

WORK=$(mktemp -d /tmp/kmatrix.XXXXXX)
QEMU_PID=""
cleanup() {
	if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; fi
	if [ "${KMATRIX_KEEP:-0}" = 1 ]; then
		note "KMATRIX_KEEP=1: leaving $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- host prerequisites (Debian packages, installed only when missing) -------
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || need_pkgs+=(kmod)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
if ! [ -x /bin/busybox ] || ! file -L /bin/busybox | grep -q 'statically linked'; then
	need_pkgs+=(busybox-static)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
	note "installing ${need_pkgs[*]}"
	apt-get install -y --no-install-recommends "${need_pkgs[@]}" >"$WORK/apt-install.log" 2>&1 ||
		{ cat "$WORK/apt-install.log" >&2; die "apt-get install failed"; }
fi

mkdir -p "$CACHE/kernels" "$LOGDIR"
exec 9>"$CACHE/.lock"
flock -w 600 9 || die "cache $CACHE is locked by another run"

# --- kernel resolution and download ------------------------------------------
# Prints "PKGNAME" for a series ("6.1") or exact ABI ("6.1.0-56"): the newest
# linux-image-<abi>-<flavour> the apt lists know (signed first, then
# -unsigned), else the newest one already in the cache.
resolve_pkg() {
	local spec=$1 re cand
	re="^linux-image-$(printf '%s' "$spec" | sed 's/[.+]/\\&/g')(\.[0-9]+)*(-[0-9]+)?(\+deb[0-9]+)?-${FLAVOUR}(-unsigned)?\$"
	cand=$( { apt-cache pkgnames linux-image- 2>/dev/null || true; } | { grep -E "$re" || true; } |
		sed 's/-unsigned$//' | sort -uV | tail -n1)
	if [ -n "$cand" ]; then
		if [ -f "$CACHE/kernels/$cand/.complete" ] ||
			apt-cache show "$cand" >/dev/null 2>&1; then
			echo "$cand"
		else
			echo "$cand-unsigned"
		fi
		return
	fi
	# Not in the apt lists (no `apt-get update`?): fall back to the cache.
	cand=$(ls "$CACHE/kernels" 2>/dev/null | sed 's/-unsigned$//' | { grep -E "$re" || true; } |
		sort -V | tail -n1)
	if [ -n "$cand" ]; then
		[ -f "$CACHE/kernels/$cand/.complete" ] || cand=$cand-unsigned
		echo "$cand"
	fi
}

# Downloads and extracts PKG into $CACHE/kernels/PKG unless already there.
# Prints "downloaded" or "cached".
fetch_kernel() {
	local pkg=$1 dir=$CACHE/kernels/$1 dl=$WORK/dl.$1
	if [ -f "$dir/.complete" ]; then echo cached; return 0; fi
	rm -rf "$dir" "$dir.partial" "$dl"
	mkdir -p "$dl"
	# (apt notes that it downloads "unsandboxed as root": harmless.)
	if ! (cd "$dl" && apt-get download "$pkg") >"$WORK/apt-dl.log" 2>&1; then
		cat "$WORK/apt-dl.log" >&2
		note "apt-get download $pkg failed (run 'apt-get update'?)"
		return 1
	fi
	mkdir -p "$dir.partial"
	dpkg-deb -x "$dl"/*.deb "$dir.partial" || { note "dpkg-deb -x failed for $pkg"; return 1; }
	local ver kver
	ver=$(dpkg-deb -f "$dl"/*.deb Version)
	# Keep what the guest needs: the kernel, its config and the modules.
	rm -rf "$dir.partial/usr" "$dir.partial/boot"/System.map-* "$dl"
	# The package does not ship modules.dep: its postinst runs depmod.
	kver=$(ls "$dir.partial/lib/modules" | head -n1)
	depmod -b "$dir.partial" "$kver" || { note "depmod -b failed for $kver"; return 1; }
	echo "$pkg $ver" >"$dir.partial/.complete"
	mv "$dir.partial" "$dir"
	echo downloaded
}

# --- module dependency resolver ----------------------------------------------
# resolve_modules MODDIR NAMES... prints, in load order (dependencies first):
#   load <relative path>   |  builtin <name>  |  missing <name>
# Hard dependencies come from modules.dep; "pre:"/"post:" soft dependencies
# from modules.softdep (e.g. libcrc32c needs the crc32c crypto module), their
# names resolved through modules.alias (every module providing the alias).
resolve_modules() {
	local moddir=$1; shift
	awk -v want="$*" '
	function norm(s) { sub(/.*\//, "", s); sub(/\.ko(\.(xz|zst|gz))?$/, "", s); gsub(/-/, "_", s); return s }
	# by_name NAME: visit the module NAME or every module with alias NAME.
	function by_name(m,   n, i, a) {
		if (norm(m) in path) { visit(path[norm(m)]); return }
		if (m in alias) {
			n = split(alias[m], a, " ")
			for (i = 1; i <= n; i++) if (a[i] in path) visit(path[a[i]])
		}
	}
	function visit(p,   n, i, a, me) {
		if (p in seen) return
		seen[p] = 1
		me = norm(p)
		n = split(pre[me], a, " ")
		for (i = 1; i <= n; i++) by_name(a[i])
		n = split(deps[p], a, " ")
		for (i = 1; i <= n; i++) visit(a[i])
		print "load " p
		n = split(post[me], a, " ")
		for (i = 1; i <= n; i++) by_name(a[i])
	}
	FILENAME ~ /modules\.dep$/ {
		p = $1; sub(/:$/, "", p)
		d = $0; sub(/^[^:]*:[ ]*/, "", d)
		deps[p] = d; path[norm(p)] = p
		next
	}
	FILENAME ~ /modules\.builtin$/ { builtin[norm($1)] = 1; next }
	FILENAME ~ /modules\.alias$/ { if ($1 == "alias") alias[$2] = alias[$2] " " norm($3); next }
	FILENAME ~ /modules\.softdep$/ {
		if ($1 != "softdep") next
		m = norm($2); mode = ""
		for (i = 3; i <= NF; i++) {
			if ($i == "pre:" || $i == "post:") mode = $i
			else if (mode == "pre:") pre[m] = pre[m] " " $i
			else if (mode == "post:") post[m] = post[m] " " $i
		}
		next
	}
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			m = norm(w[i])
			if (m in path) visit(path[m])
			else if (m in builtin) print "builtin " m
			else print "missing " m
		}
	}' "$moddir/modules.dep" "$moddir/modules.builtin" "$moddir/modules.alias" "$moddir/modules.softdep"
}

# --- common initramfs part (same for every kernel) ---------------------------
copy_with_libs() { # copy_with_libs SRC DEST_IN_STAGE STAGE
	local src=$1 dest=$2 stage=$3 lib
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$src" "$stage$dest"
	for lib in $(ldd "$src" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' || true); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

build_common() {
	local st=$WORK/common b p a
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,etc/kmatrix,proc,sys,dev,run,tmp,root,var,lib,boot}
	ln -s ../run "$st/var/run"
	cp /bin/busybox "$st/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$st/bin/$a"
	done
	# /bin/sh is dash, not busybox: busybox sh runs its own applets before
	# searching PATH, so `ip` would be busybox ip even with iproute2 installed.
	# Applets stay available as links (after /usr/sbin in PATH) and as
	# `busybox APPLET`.
	rm -f "$st/bin/sh"
	copy_with_libs "$(readlink -f /bin/dash)" /bin/sh "$st"
	copy_with_libs "$(readlink -f /bin/bash)" /bin/bash "$st"
	mknod -m 600 "$st/dev/console" c 5 1
	mknod -m 666 "$st/dev/null" c 1 3

	# Host tools with their libraries, first in PATH (before busybox applets).
	for b in $HOST_BINS; do
		p=$(command -v "$b" 2>/dev/null || true)
		if [ -z "$p" ]; then note "host tool $b not installed: not in the guest"; continue; fi
		copy_with_libs "$p" "/usr/sbin/$b" "$st"
	done
	if [ -e "$st/usr/sbin/xtables-nft-multi" ]; then
		for a in iptables ip6tables iptables-save iptables-restore ip6tables-save ip6tables-restore; do
			ln -sf xtables-nft-multi "$st/usr/sbin/$a"
			ln -sf xtables-nft-multi "$st/usr/sbin/${a/tables/tables-nft}"
		done
	fi
	if [ -e "$st/usr/sbin/xtables-legacy-multi" ]; then
		for a in iptables ip6tables iptables-save iptables-restore; do
			ln -sf xtables-legacy-multi "$st/usr/sbin/${a/tables/tables-legacy}"
		done
	fi
	# iptables extensions are dlopen()ed: copy them and their libraries.
	local xt=/usr/lib/x86_64-linux-gnu/xtables
	if [ -d "$xt" ] && [ -e "$st/usr/sbin/xtables-nft-multi" ]; then
		for p in "$xt"/*.so; do copy_with_libs "$p" "$p" "$st"; done
	fi
	if [ -d "$st/lib64" ] || [ -d "$st/lib/x86_64-linux-gnu" ]; then
		printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$st/etc/ld.so.conf"
		ldconfig -r "$st" 2>/dev/null || note "ldconfig -r failed (libraries still load from default paths)"
	fi
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$st/etc/passwd"
	printf 'root:x:0:\n' >"$st/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$st/etc/hosts"
	printf 'tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n' >"$st/etc/protocols"

	# The binary under test, tcpstorm and the guest script.
	cp "$BINARY" "$st/bin/netsleuth"
	chmod 755 "$st/bin/netsleuth"
	if ! file -L "$BINARY" | grep -qE 'statically linked|static-pie'; then
		note "warning: $BINARY is not statically linked; copying its libraries"
		copy_with_libs "$BINARY" /bin/netsleuth "$st"
	fi
	if [ -n "$TCPSTORM" ]; then
		cp "$TCPSTORM" "$st/bin/tcpstorm"
	else
		gcc -Wall -Wextra -Werror -O2 -static -o "$st/bin/tcpstorm" \
			"$REPO_DIR/tests/tools/tcpstorm.c" || die "building tcpstorm failed"
	fi
	cp "$GUEST_SCRIPT" "$st/test.sh"
	chmod 755 "$st/test.sh"
	local f
	for f in "${EXTRA_FILES[@]+"${EXTRA_FILES[@]}"}"; do
		[ -e "${f%%:*}" ] || die "--file ${f%%:*}: no such file"
		mkdir -p "$st$(dirname "${f#*:}")"
		cp -a "${f%%:*}" "$st${f#*:}"
	done
	write_init "$st/init"
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$WORK/common.cpio"
}

write_init() {
	cat >"$1" <<'EOF'
#!/bin/sh
# netsleuth kmatrix guest init (generated by tests/kernels/kmatrix.sh)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
echo
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mkdir -p /run/netns
hostname kmatrix
KVER=$(uname -r)
export KMATRIX_KVER=$KVER
# Modules in dependency order; failures are listed in /run/kmatrix/modules.failed
# (the guest script decides whether they matter).
mkdir -p /run/kmatrix
: >/run/kmatrix/modules.failed
nmod=0; nfail=0
while read -r m; do
	[ -n "$m" ] || continue
	nmod=$((nmod + 1))
	if ! out=$(insmod "/lib/modules/$KVER/$m" 2>&1); then
		case "$out" in
		*exists*) ;;
		*) nfail=$((nfail + 1)); echo "kmatrix-init: insmod $m: $out"; echo "$m" >>/run/kmatrix/modules.failed ;;
		esac
	fi
done </etc/kmatrix/modules.load
echo "kmatrix-init: loaded $((nmod - nfail))/$nmod modules"
ip link set lo up
T=$(cat /etc/kmatrix/guest-timeout)
echo
echo "===KMATRIX-BEGIN==="
cd /
timeout "$T" /bin/sh /test.sh </dev/null 2>&1
rc=$?
echo
echo "===KMATRIX-END rc=$rc==="
sync
poweroff -f
sleep 5
echo o >/proc/sysrq-trigger
EOF
	chmod 755 "$1"
}

# --- per-kernel initramfs ------------------------------------------------------
# build_kernel_cpio PKG KVER OUT: modules of KVER (decompressed) + depmod.
build_kernel_cpio() {
	local kdir=$CACHE/kernels/$1 kver=$2 out=$3
	local st=$WORK/k.$kver md=$CACHE/kernels/$1/lib/modules/$2 what p d n_b=0 n_m=0
	local smd=$st/lib/modules/$kver
	rm -rf "$st"; mkdir -p "$smd" "$st/etc/kmatrix" "$st/boot"
	cp "$md"/modules.order "$md"/modules.builtin "$smd/"
	[ -f "$md/modules.builtin.modinfo" ] && cp "$md/modules.builtin.modinfo" "$smd/"
	cp "$kdir/boot/config-$kver" "$st/boot/" 2>/dev/null || true
	: >"$st/etc/kmatrix/modules.load"
	local builtin="" missing=""
	while read -r what p; do
		case "$what" in
		load)
			d=$smd/${p%.xz}; d=${d%.zst}; d=${d%.gz}
			mkdir -p "$(dirname "$d")"
			case "$p" in
			*.xz) xz -dc "$md/$p" >"$d" ;;
			*.zst) zstd -qdc "$md/$p" >"$d" ;;
			*.gz) gzip -dc "$md/$p" >"$d" ;;
			*) cp "$md/$p" "$d" ;;
			esac
			case " $SHIP_ONLY_MODULES " in
			*" $(basename "${d%.ko}" | tr - _) "*) ;;
			*) echo "${d#"$smd"/}" >>"$st/etc/kmatrix/modules.load" ;;
			esac ;;
		builtin) builtin="$builtin $p"; n_b=$((n_b + 1)) ;;
		missing) missing="$missing $p"; n_m=$((n_m + 1)) ;;
		esac
	done < <(resolve_modules "$md" $BOOT_MODULES $EXTRA_MODULES $SHIP_ONLY_MODULES)
	# Only loaded-at-boot modules from SHIP_ONLY_MODULES' dependencies are fine to
	# load: they are needed anyway. depmod makes modprobe work in the guest.
	depmod -b "$st" "$kver" || die "depmod -b failed for $kver"
	echo "$((TIMEOUT > 60 ? TIMEOUT - 30 : TIMEOUT * 3 / 4))" >"$st/etc/kmatrix/guest-timeout"
	note "$kver: $(wc -l <"$st/etc/kmatrix/modules.load") modules to load; built in:${builtin:- none}"
	[ -n "$missing" ] && note "$kver: not in this kernel:$missing"
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$WORK/k.cpio"
	# Concatenated newc archives are one initramfs; later entries win.
	cat "$WORK/common.cpio" "$WORK/k.cpio" | gzip -1 >"$out"
	rm -rf "$st" "$WORK/k.cpio"
}

# --- main ----------------------------------------------------------------------
t0=$(now)
build_common
note "common initramfs part built in $(elapsed "$t0")s"

results=()
failed=0
ran=0
for spec in $KERNELS; do
	ts=$(now)
	pkg=$(resolve_pkg "$spec")
	if [ -z "$pkg" ]; then
		results+=("kernel $spec: SKIP (no linux-image-$spec*-$FLAVOUR package in the apt lists or the cache)")
		continue
	fi
	if ! how=$(fetch_kernel "$pkg"); then
		results+=("kernel $spec ($pkg): SKIP (download failed)")
		continue
	fi
	kdir=$CACHE/kernels/$pkg
	kver=$(ls "$kdir/lib/modules" | head -n1)
	vmlinuz=$kdir/boot/vmlinuz-$kver
	[ -f "$vmlinuz" ] || die "$pkg: no boot/vmlinuz-$kver"
	t_fetch=$(elapsed "$ts")
	ran=$((ran + 1))

	ts=$(now)
	initrd=$WORK/initrd-$kver.gz
	build_kernel_cpio "$pkg" "$kver" "$initrd"
	t_initrd=$(elapsed "$ts")

	log=$LOGDIR/$kver.log
	ts=$(now)
	note "$kver: booting ($pkg, $how; initramfs $(du -k "$initrd" | cut -f1) KiB)"
	qrc=0
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
		-accel tcg -cpu max -m "$MEM" -smp "$SMP" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init $APPEND" \
		</dev/null >"$log" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID" || qrc=$?
	QEMU_PID=""
	t_boot=$(elapsed "$ts")
	rm -f "$initrd"

	rc=$(tr -d '\r' <"$log" | sed -n 's/.*===KMATRIX-END rc=\([0-9]*\)===.*/\1/p' | tail -n1)
	if [ -z "$rc" ]; then
		if [ "$qrc" = 124 ]; then why="timeout after ${TIMEOUT}s"; else why="no end marker, qemu rc=$qrc"; fi
		results+=("kernel $kver: FAIL ($why) [fetch ${t_fetch}s, initramfs ${t_initrd}s, qemu ${t_boot}s] log: $log")
		failed=1
		echo "----- $kver: last 40 lines of $log -----"
		tail -n 40 "$log" | tr -d '\r'
		continue
	fi
	if [ "$rc" = 0 ]; then verdict=PASS; else verdict=FAIL; failed=1; fi
	warn=""
	if grep -qE 'BUG:|WARNING:|Oops|Call Trace|general protection' "$log"; then
		warn=" [kernel warnings in log]"
	fi
	results+=("kernel $kver: $verdict (rc=$rc)$warn [$pkg $how: fetch ${t_fetch}s, initramfs ${t_initrd}s, qemu ${t_boot}s] log: $log")
	if [ "$VERBOSE" = 1 ] || [ "$verdict" = FAIL ]; then
		echo "----- $kver: guest output -----"
		tr -d '\r' <"$log" | grep -a 'kmatrix-init:' || true
		tr -d '\r' <"$log" | sed -n '/===KMATRIX-BEGIN===/,/===KMATRIX-END/p'
	fi
done

echo "===== kmatrix summary ($(elapsed "$t0")s total) ====="
for r in "${results[@]}"; do echo "$r"; done
if [ "$ran" = 0 ]; then
	echo "kmatrix: no kernel could be run" >&2
	exit 1
fi
exit "$failed"
