#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: the fallback hooks, forced with
# --hooks. Debian's 6.1 and 6.12 have every tracepoint netsleuth wants, so the
# other guest scripts never see the function-hook programs count; fentry,
# fexit and kprobe work there (not on our 6.18 VMs), so they are exercised
# here, each with the same exact-count check as the tracepoint:
#  - fdb learning: /guest-fdb.sh (only its learn/move part: HOOKS=... skips its
#    doctor) with HOOKS=fentry, then HOOKS=kprobe: fentry/kprobe on
#    br_fdb_update. fdb-admin and neigh have only tracepoints: with those kinds
#    they are skipped (the feature loads with fdb-learn alone). Expected as with
#    the tracepoint: 1 learn on p1, 39 moves. The function hooks see every
#    learning call, refreshes too, but the 40 frames alternate ports, so every
#    call after the first is a move, and a refresh would be counted without an
#    event anyway (bpf/fdb.bpf.c, handle_learn).
#  - TCP retransmits: `trace -e retrans,flow-end` with --hooks fexit,fentry
#    (fexit tcp_retransmit_skb; flow-end: fentry tcp_set_state; fentry also
#    because trace always loads the RST feature, which has no fexit hook), then
#    --hooks kprobe (kprobe on both). One connect from kfa to kfs:5001, whose
#    SYNs kfs's nft input chain drops (3.5 s: 2 or 3 SYN retransmits): the
#    SYN retransmit events == kfa's Tcp RetransSegs delta (/proc/net/snmp),
#    and the flow_end event says closed from SYN_SENT after as many. (This
#    found the function hooks on __tcp_retransmit_skb blind on Debian's 6.1:
#    they are on tcp_retransmit_skb now, bpf/retrans.bpf.c.)
# The retransmit checks run in the background while the fdb ones run (their
# own namespaces; mostly waiting for SYN timers): about 30 s per kernel
# under TCG instead of 45.
#
# Runs under dash in the guest (as /test.sh or /guest-fallback.sh, with
# /guest-fdb.sh beside it); exit status 0 = PASS. Traffic only inside the
# namespaces created here; every wait is bounded. On a host:
# NETSLEUTH=.output/netsleuth L2FLAP=.output/l2flap TCPSTORM=.output/tcpstorm
# GUEST_FDB=tests/kernels/guest-fdb.sh sh tests/kernels/guest-fallback.sh

NSL=${NETSLEUTH:-/bin/netsleuth}
TCPSTORM=${TCPSTORM:-/bin/tcpstorm}
GUEST_FDB=${GUEST_FDB:-/guest-fdb.sh}
A=kfa S=kfs
T=${TMPDIR:-/tmp}/guest-fallback.$$
. "${GUEST_LIB:-$(dirname "$0")/guest-lib.sh}"

tpid= rpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	# the background retransmit checks and their trace
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	[ -s "$T/r.pid" ] && kill "$(cat "$T/r.pid")" 2>/dev/null
	ip netns del $A 2>/dev/null
	ip netns del $S 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# retrans_segs NS: Tcp RetransSegs from /proc/net/snmp inside NS (nstat is not in the guest)
retrans_segs() {
	ip netns exec "$1" cat /proc/net/snmp | awk '$1 == "Tcp:" {
		if (!n) { for (i = 2; i <= NF; i++) if ($i == "RetransSegs") c = i; n = 1 } else print $c }'
}

# num ROW KEY: the first "KEY":N in ROW
num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" | head -n 1; }

# hook_of ERRFILE SOURCE: the hook kind trace chose for SOURCE, from its stderr with -v
# ("netsleuth: debug: flow-end: fentry tcp_set_state", "netsleuth: warning: retrans:
# degraded: fexit tcp_retransmit_skb: ...")
hook_of() {
	sed -n "s/^netsleuth: [a-z]*: $2: \(degraded: \)\{0,1\}\([a-z_+]*\) .*/\2/p" "$1" | head -n 1
}

mkdir -p "$T"
kver=$(uname -r)
echo "kernel: $kver"
results=

# --- TCP retransmits with function hooks ----------------------------------------------------
setup_ok=1
{ ip netns add $A && ip netns add $S && ip -n $A link set lo up && ip -n $S link set lo up &&
	ip -n $A link add a0 type veth peer name s0 netns $S &&
	ip -n $A addr add 10.96.1.1/24 dev a0 && ip -n $S addr add 10.96.1.2/24 dev s0 &&
	ip -n $A link set a0 up && ip -n $S link set s0 up &&
	ip netns exec $S nft add table inet kf &&
	ip netns exec $S nft add chain inet kf in '{ type filter hook input priority 0; }' &&
	ip netns exec $S nft add rule inet kf in tcp dport 5001 counter drop; } || setup_ok=0
if [ $setup_ok = 1 ]; then
	ok "namespaces $A -- $S, nft drop of :5001 in $S"
else
	bad "retransmit setup"
fi

# retrans HOOKS WANT: SYN retransmits seen by the hook of kind WANT == the RetransSegs delta
retrans() {
	echo "- trace -e retrans,flow-end --hooks $1"
	# not the last run's "tracing;": the new trace truncates the file only once it runs
	rm -f "$T/r.json" "$T/r.err"
	"$NSL" trace --json -e retrans,flow-end --netns $A --no-docker --hooks "$1" -v \
		>"$T/r.json" 2>"$T/r.err" &
	tpid=$!
	echo $tpid >"$T/r.pid"
	wait_for "$T/r.err" 'tracing;' 600 || bad "--hooks $1: trace did not start within 60 s: $(cat "$T/r.err")"
	r0=$(retrans_segs $A)
	ip netns exec $A "$TCPSTORM" connect 10.96.1.2 5001 1 --timeout-ms 3500 >"$T/syn.out" 2>&1
	r1=$(retrans_segs $A)
	echo "tcpstorm connect :5001: $(cat "$T/syn.out")"
	grep -q 'timeout=1 ' "$T/syn.out" || bad "--hooks $1: the blackholed connect did not time out"
	sleep 0.5
	stop "$tpid"
	trc=$?
	tpid=
	echo "trace rc=$trc; its stderr:"
	sed 's/^/    /' "$T/r.err"
	[ $trc -eq 0 ] || bad "--hooks $1: trace rc=$trc"
	hr=$(hook_of "$T/r.err" retrans)
	hf=$(hook_of "$T/r.err" flow-end)
	if [ "$hr" = "$2" ]; then
		ok "$kver: --hooks $1: retrans uses $hr, flow-end ${hf:-none}"
	else
		bad "$kver: --hooks $1: retrans uses '${hr:-none}', want $2"
	fi
	d=$((r1 - r0))
	nsyn=$(grep '"event":"retrans"' "$T/r.json" | grep '"dport":5001' | grep '"kind":"syn"' |
		grep -c '"state":"SYN_SENT"')
	nall=$(grep -c '"event":"retrans"' "$T/r.json")
	if [ "$d" -ge 1 ] && [ "$nsyn" = "$d" ] && [ "$nall" = "$d" ]; then
		ok "--hooks $1: $nsyn SYN retransmit events (SYN_SENT) == TcpRetransSegs delta $d"
	else
		bad "--hooks $1: SYN retransmit events $nsyn (all retrans events $nall), TcpRetransSegs delta $d (want >= 1)"
		grep '"event":"retrans"' "$T/r.json" | cut -c 1-400
	fi
	fe=$(grep '"event":"flow_end"' "$T/r.json" | grep '"dport":5001')
	if echo "$fe" | grep -q '"end":"closed"' && echo "$fe" | grep -q '"from_state":"SYN_SENT"' &&
		[ "$(num "$fe" syn_retransmits)" = "$d" ]; then
		ok "--hooks $1: flow_end :5001 closed from SYN_SENT after $d SYN retransmits"
	else
		bad "--hooks $1: flow_end :5001: '$fe'"
	fi
	totals=$(grep 'events printed; kernel counted' "$T/r.err" | tail -n 1)
	printed=$(echo "$totals" | sed -n 's/.* \([0-9][0-9]*\) events printed;.*/\1/p')
	counted=$(echo "$totals" | sed -n 's/.*kernel counted \([0-9][0-9]*\) matching;.*/\1/p')
	lost=$(echo "$totals" | sed -n 's/.*matching; \([0-9][0-9]*\) lost.*/\1/p')
	if [ -n "$printed" ] && [ "$printed" = "$counted" ] && [ "$lost" = 0 ]; then
		ok "--hooks $1: printed $printed == kernel counted $counted, 0 lost"
	else
		bad "--hooks $1: totals '$totals'"
	fi
	echo "retrans result: retrans[$1]: retrans=${hr:-none} flow-end=${hf:-none} syn=$nsyn snmp=$d"
}

# in the background; its ok/FAIL lines are counted from its output at the end
{
	if [ $setup_ok = 1 ]; then
		retrans fexit,fentry fexit
		retrans kprobe kprobe
	fi
} >"$T/retrans.out" 2>&1 </dev/null &
rpid=$!

# --- fdb learning with function hooks: guest-fdb.sh's learn/move checks ----------------------
for h in fentry kprobe; do
	echo "--- guest-fdb.sh with HOOKS=$h"
	HOOKS=$h /bin/sh "$GUEST_FDB" >"$T/fdb-$h.out" 2>&1 </dev/null
	rc=$?
	sed 's/^/  | /' "$T/fdb-$h.out"
	counts=$(sed -n 's/^guest-fdb: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$T/fdb-$h.out")
	res=$(sed -n "s/^guest-fdb result on [^:]*: *//p" "$T/fdb-$h.out")
	results="$results; fdb[$h]: ${res:-?}"
	if [ -n "$counts" ] && [ "${counts#* }" = 0 ] && [ $rc -eq 0 ]; then
		ok "fdb with --hooks $h: ${counts% *} checks passed ($res)"
	else
		bad "fdb with --hooks $h: rc=$rc, '${counts:-no count line}' (passed failed)"
	fi
done

i=0
while kill -0 "$rpid" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$rpid" 2>/dev/null; then
	bad "the retransmit checks did not end within 60 s after the fdb ones"
	[ -s "$T/r.pid" ] && kill "$(cat "$T/r.pid")" 2>/dev/null
	kill "$rpid" 2>/dev/null
fi
wait "$rpid"
rpid=
echo "--- retransmits (ran meanwhile)"
cat "$T/retrans.out"
passed=$((passed + $(grep -c '^ok ' "$T/retrans.out")))
failed=$((failed + $(grep -c '^FAIL ' "$T/retrans.out")))
results="$results$(sed -n 's/^retrans result:/;/p' "$T/retrans.out" | tr -d '\n')"

echo "guest-fallback result on $kver$results"
echo "guest-fallback: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
