#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: bridge FDB learning and moves
# (`trace -e fdb`, issue #5) on another kernel. The point is the hooks: on
# Debian's kernels the bridge is a module, so its tracepoints and functions are
# described by the module's BTF, not vmlinux's, and fentry/kprobe work there
# (unlike our VMs): doctor must find a working hook for fdb-learn, fdb-admin
# and neigh, and the one chosen must see every move.
#
# The topology of tests/integration/test_fdb.py (TwoPortBridge) and its
# test_deterministic_moves_exact: bridge br0 in one namespace with veth ports
# p1, p2 whose far ends x1, x2 are both in a second namespace; l2flap
# (tests/tools/l2flap.c, the C twin of l2send.py: the guest has no Python)
# sends 40 frames from one MAC alternately on x1 and x2, so the bridge learns
# it on p1 and sees it move 39 times.
#
# Runs under dash in the guest (as /test.sh or /guest-fdb.sh); exit status 0 =
# PASS. Traffic only inside the namespaces created here; every wait is
# bounded. Paths can be overridden to run it on a host: NETSLEUTH, L2FLAP.
#
# HOOKS=LIST (guest-fallback.sh: HOOKS=fentry, HOOKS=kprobe) forces a fallback:
# no doctor, `trace --hooks LIST -v`, and the fdb-learn hook trace chose must be
# one of LIST; the learn/move checks are the same (a function hook on
# br_fdb_update sees refreshes too, which the BPF side counts without events).

NSL=${NETSLEUTH:-/bin/netsleuth}
L2FLAP=${L2FLAP:-/bin/l2flap}
MAC=02:5e:00:00:10:01
N=40
B=kfdbbr X=kfdbx
T=${TMPDIR:-/tmp}/guest-fdb.$$
. "${GUEST_LIB:-$(dirname "$0")/guest-lib.sh}"

tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	ip netns del $B 2>/dev/null
	ip netns del $X 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$T"
kver=$(uname -r)
echo "kernel: $kver"
if [ -e /sys/module/bridge/initstate ]; then
	st="module, loaded"
elif [ -d /sys/module/bridge ]; then
	st="built in"
elif [ -f "/lib/modules/$kver/modules.dep" ] && modprobe bridge 2>"$T/modprobe.err"; then
	st="loaded now (modprobe)"
else
	st="not a module here ($(cat "$T/modprobe.err" 2>/dev/null))"
fi
# module BTF: where the bridge's tracepoints and functions are described on Debian's kernels
echo "bridge module: $st; module BTF: $([ -e /sys/kernel/btf/bridge ] && echo yes || echo no)"

# --- doctor: a working hook for each fdb source, and which one ----------------------
hooks=
srcs="fdb-learn fdb-admin neigh"
if [ -n "${HOOKS:-}" ]; then
	echo "HOOKS=$HOOKS: doctor skipped; trace runs with --hooks $HOOKS -v"
	set -- --hooks "$HOOKS" -v
	srcs=
else
	"$NSL" doctor >"$T/doctor.txt" 2>&1
	echo "doctor rc=$?"
	set --
fi
for src in $srcs; do
	sed -n "/^  $src:/,/=>/p" "$T/doctor.txt" >"$T/src.txt"
	sed 's/^/  /' "$T/src.txt"
	using=$(sed -n 's/^    => ok: using \(.*\)$/\1/p' "$T/src.txt")
	# every hook that works here, not only the chosen one: "tp_btf,raw_tp,fentry,kprobe"
	works=$(awk '/^    [* ] [a-z]/ { m = ($1 == "*") ? $2 : $1 }
		/^        works/ { printf "%s%s", sep, m; sep = "," }' "$T/src.txt")
	hooks="$hooks $src=${using:-none}(works:${works:-none})"
	if [ -n "$using" ]; then
		ok "$kver: $src uses $using"
	else
		bad "$kver: $src has no working hook: $(grep '=>' "$T/src.txt")"
	fi
done
[ -n "$srcs" ] && echo "guest-fdb hooks on $kver:$hooks"

# --- the topology ------------------------------------------------------------------
setup_ok=1
{ ip netns add $B && ip netns add $X &&
	ip -n $B link set lo up && ip -n $X link set lo up &&
	ip -n $B link add br0 type bridge; } || setup_ok=0
for p in 1 2; do
	{ ip -n $B link add p$p type veth peer name x$p netns $X &&
		ip -n $B link set p$p master br0 && ip -n $B link set p$p up &&
		ip -n $X link set x$p up; } || setup_ok=0
done
ip -n $B link set br0 up || setup_ok=0
# no STP: a port forwards (and learns) once its carrier is up, which linkwatch may delay by a second
i=0
while [ "$(bridge -n $B link show 2>/dev/null | grep -c 'state forwarding')" -lt 2 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
bridge -n $B link show 2>/dev/null | sed 's/^/    /'
if [ $setup_ok = 1 ] && [ "$(bridge -n $B link show 2>/dev/null | grep -c 'state forwarding')" -eq 2 ]; then
	ok "bridge br0 with ports p1, p2 forwarding"
else
	bad "bridge setup"
	echo "guest-fdb: $passed passed, $failed failed"
	exit 1
fi

# --- 40 frames alternating between the ports under `trace -e fdb` ----------------------
"$NSL" trace --json -e fdb --netns $B --no-docker "$@" >"$T/trace.json" 2>"$T/trace.err" &
tpid=$!
if wait_for "$T/trace.err" 'tracing;' 600; then
	ok "trace running"
else
	bad "trace did not start within 60 s: $(cat "$T/trace.err")"
fi
ip netns exec $X "$L2FLAP" alternate $MAC $N x1 x2 >"$T/l2flap.out" 2>&1
lrc=$?
echo "l2flap rc=$lrc: $(tr '\n' ' ' <"$T/l2flap.out")"
[ $lrc -eq 0 ] && grep -q "^sent=$N\$" "$T/l2flap.out" || bad "l2flap did not send $N frames"
sleep 1
stop "$tpid"
trc=$?
tpid=
echo "trace rc=$trc; its stderr:"
sed 's/^/    /' "$T/trace.err"
[ $trc -eq 0 ] && ok "trace stopped cleanly" || bad "trace rc=$trc"
if [ -n "${HOOKS:-}" ]; then
	# "netsleuth: warning: fdb-learn: degraded: fentry br_fdb_update: ..." (a function hook has
	# limits), "netsleuth: debug: fdb-learn: tp_btf br_fdb_update tracepoint" (-v) otherwise
	using=$(sed -n 's/^netsleuth: [a-z]*: fdb-learn: \(degraded: \)\{0,1\}\([a-z_+]*\) .*/\2/p' "$T/trace.err" |
		head -n 1)
	hooks=" fdb-learn=${using:-none}(--hooks $HOOKS)"
	case ",$HOOKS," in
	*,"${using:-none}",*) ok "$kver: fdb-learn uses $using (--hooks $HOOKS)" ;;
	*) bad "$kver: fdb-learn uses '${using:-none}', want one of --hooks $HOOKS" ;;
	esac
fi
bridge -n $B fdb show br br0 2>/dev/null | grep -i "$MAC" | sed 's/^/    fdb now: /'

grep '"event":"fdb"' "$T/trace.json" | grep "\"mac\":\"$MAC\"" >"$T/mac.json"
echo "events for $MAC: $(grep -c . "$T/mac.json") (first 2, last 1):"
head -n 2 "$T/mac.json"
tail -n 1 "$T/mac.json"
others=$(grep '"event":"fdb"' "$T/trace.json" | grep -vc "\"mac\":\"$MAC\"")
echo "other fdb events (the veths' own traffic, e.g. IPv6 autoconfiguration): $others"
nlearn=$(grep -c '"action":"learn"' "$T/mac.json")
nlearn1=$(grep '"action":"learn"' "$T/mac.json" | grep -c '"port":{"name":"p1"')
nmove=$(grep -c '"action":"move"' "$T/mac.json")
if [ "$nlearn" -eq 1 ] && [ "$nlearn1" -eq 1 ]; then
	ok "1 learn, on p1"
else
	bad "learns: $nlearn ($nlearn1 on p1), want 1 on p1"
fi
if [ "$nmove" -eq $((N - 1)) ]; then ok "$((N - 1)) moves"; else bad "moves: $nmove, want $((N - 1))"; fi
# the kernel's per-MAC count, in order: 1..N-1
got=$(grep '"action":"move"' "$T/mac.json" | sed -n 's/.*"moves":\([0-9]*\).*/\1/p' | tr '\n' ' ')
want=$(i=1; while [ $i -lt $N ]; do printf '%d ' $i; i=$((i + 1)); done)
if [ "$got" = "$want" ]; then
	ok "moves numbered 1..$((N - 1))"
else
	bad "move numbers: '$got', want 1..$((N - 1))"
fi
# odd moves go p1 -> p2, even ones back; every port a veth
nalt=$(grep '"action":"move"' "$T/mac.json" | awk -v q='"' '
	{ want = (NR % 2) ? "p2" : "p1"; was = (NR % 2) ? "p1" : "p2"
	  if (index($0, q "port" q ":{" q "name" q ":" q want q) && index($0, q "old_port" q ":{" q "name" q ":" q was q) &&
	      index($0, q "kind" q ":" q "veth" q) && index($0, q "bridge" q ":" q "br0" q)) n++ }
	END { print n + 0 }')
if [ "$nalt" -eq $((N - 1)) ]; then
	ok "moves alternate p1 -> p2 -> p1 with old_port, kind veth, bridge br0"
else
	bad "moves with the right port/old_port/kind/bridge: $nalt of $((N - 1))"
fi
# "N events printed; kernel counted N matching; 0 lost (ring buffer full)"
totals=$(grep 'events printed; kernel counted' "$T/trace.err" | tail -n 1)
printed=$(echo "$totals" | sed -n 's/.* \([0-9][0-9]*\) events printed;.*/\1/p')
counted=$(echo "$totals" | sed -n 's/.*kernel counted \([0-9][0-9]*\) matching;.*/\1/p')
lost=$(echo "$totals" | sed -n 's/.*matching; \([0-9][0-9]*\) lost.*/\1/p')
if [ -n "$printed" ] && [ "$printed" = "$counted" ] && [ "$lost" = 0 ]; then
	ok "printed $printed == kernel counted $counted, 0 lost"
else
	bad "totals: '$totals'"
fi
echo "guest-fdb result on $kver:$hooks; learn=$nlearn move=$nmove printed=${printed:-?} counted=${counted:-?} lost=${lost:-?}"

echo "guest-fdb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
