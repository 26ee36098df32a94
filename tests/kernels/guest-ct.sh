#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: conntrack INVALID -> RST behind DNAT
# ("connection reset by peer", docs/anomalies.md), reproduced for real on
# another kernel. The point is the ct-invalid hook fallback (docs/hooks.md):
# before 6.4 there are no BPF netfilter programs and netsleuth must count
# INVALID packets with its kprobe on nf_tcp_log_invalid ("kprobe"); from 6.4 on
# it uses the netfilter program plus that kprobe for conntrack's reason
# ("netfilter+kprobe").
#
# The topology of tests/integration/test_conntrack.py (NatTopology): a client
# namespace, a "host" namespace with a bridge, DNAT 8080 -> server:80 and
# MASQUERADE (be_liberal=0), a server namespace running `tcpstorm listen`.
# oowinject (tests/tools/oowinject.c) connects from the client and injects
# out-of-window segments on the live 4-tuple.
#
# Runs under dash in the guest (as /test.sh or /guest-ct.sh); exit status 0 =
# PASS. Traffic only inside the namespaces created here; every wait is
# bounded. Paths can be overridden to run it on a host: NETSLEUTH, OOWINJECT,
# TCPSTORM; CT_METHOD overrides the expected ct-invalid method.

NSL=${NETSLEUTH:-/bin/netsleuth}
OOW=${OOWINJECT:-/bin/oowinject}
TCPSTORM=${TCPSTORM:-/bin/tcpstorm}
N=3
C=kctc H=kcth S=kcts
PUBLIC=10.51.0.1 CLIENT=10.51.0.2 SERVER=172.30.9.2
T=${TMPDIR:-/tmp}/guest-ct.$$
. "${GUEST_LIB:-$(dirname "$0")/guest-lib.sh}"

apid= tpid= spid=
cleanup() {
	for p in $apid $tpid $spid; do kill "$p" 2>/dev/null; done
	[ -n "${bpf_stats:-}" ] && echo "$bpf_stats" >/proc/sys/kernel/bpf_stats_enabled
	ip netns del $C 2>/dev/null
	ip netns del $H 2>/dev/null
	ip netns del $S 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# server: tcpstorm listen in the server namespace, back once it listens
start_server() {
	ip netns exec $S "$TCPSTORM" listen $SERVER 80 --ms 15000 >"$T/server.out" 2>&1 &
	spid=$!
	wait_for "$T/server.out" listening 50 || bad "server did not start: $(cat "$T/server.out")"
}
stop_server() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	spid=
}

# inject OUTFILE [OPTIONS]: connect from the client namespace and inject N segments
# (default: far ahead of the window)
inject() {
	out=$1
	shift
	ip netns exec $C "$OOW" kctc0 $PUBLIC 8080 $N "$@" >"$out" 2>&1
	echo "oowinject $* (rc=$?): $(tr '\n' ' ' <"$out")"
}

mkdir -p "$T"
kver=$(uname -r)
echo "kernel: $kver"
case "${CT_METHOD:-}" in
"") case "$kver" in
	6.[0-3].* | 5.*) want=kprobe ;;
	*) want=netfilter+kprobe ;;
	esac ;;
*) want=$CT_METHOD ;;
esac

# --- modules and the NAT topology ---------------------------------------------
for m in nf_conntrack nf_nat nf_defrag_ipv4 x_tables ip_tables iptable_nat xt_nat xt_MASQUERADE xt_tcpudp \
	nf_tables nft_compat nft_chain_nat; do
	if [ -d /sys/module/$m ]; then st=loaded; else st=no; fi
	printf '%s=%s ' $m $st
done
echo
[ -s /run/kmatrix/modules.failed ] && echo "modules that failed to load: $(tr '\n' ' ' </run/kmatrix/modules.failed)"

setup_ok=1
{ ip netns add $C && ip netns add $H && ip netns add $S &&
	for n in $C $H $S; do ip -n $n link set lo up || exit 1; done &&
	ip link add kctc0 netns $C type veth peer name kcth0 netns $H &&
	ip link add kcts0 netns $S type veth peer name kcths0 netns $H &&
	ip -n $H link add kctbr0 type bridge &&
	ip -n $H link set kcths0 master kctbr0 &&
	ip -n $C addr add $CLIENT/24 dev kctc0 &&
	ip -n $H addr add $PUBLIC/24 dev kcth0 &&
	ip -n $H addr add 172.30.9.1/24 dev kctbr0 &&
	ip -n $S addr add $SERVER/24 dev kcts0 &&
	ip -n $C link set kctc0 up && ip -n $H link set kcth0 up && ip -n $H link set kcths0 up &&
	ip -n $H link set kctbr0 up && ip -n $S link set kcts0 up &&
	ip -n $S route add default via 172.30.9.1 &&
	ip netns exec $H sysctl -qw net.ipv4.ip_forward=1; } || setup_ok=0
# iptables: nft backend first (Debian's default), else legacy
ipt=
for b in iptables-nft iptables-legacy; do
	command -v $b >/dev/null || continue
	if ip netns exec $H $b -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination $SERVER:80 \
		2>"$T/ipt.err" &&
		ip netns exec $H $b -t nat -A POSTROUTING -s 172.30.9.0/24 -j MASQUERADE 2>>"$T/ipt.err"; then
		ipt=$b
		break
	fi
	echo "$b failed: $(cat "$T/ipt.err")"
	ip netns exec $H $b -t nat -F 2>/dev/null
done
if [ -n "$ipt" ]; then
	echo "NAT rules with $ipt:"
	ip netns exec $H $ipt -t nat -S | sed 's/^/    /'
else
	setup_ok=0
fi
ip netns exec $H sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=0 || setup_ok=0
if [ $setup_ok = 1 ]; then
	ok "NAT topology ($ipt; be_liberal=$(ip netns exec $H sysctl -n net.netfilter.nf_conntrack_tcp_be_liberal))"
else
	bad "NAT topology setup"
	echo "guest: $passed passed, $failed failed"
	exit 1
fi

# --- doctor: the ct-invalid method ----------------------------------------------
"$NSL" doctor >"$T/doctor.txt" 2>&1
echo "doctor rc=$?"
sed -n '/^  ct-invalid:/,/=>/p' "$T/doctor.txt"
grep -E "^  (WHERE|$H) " "$T/doctor.txt"
method=$(sed -n '/^  ct-invalid:/,/=>/p' "$T/doctor.txt" | sed -n 's/^    => .*using \(.*\)$/\1/p')
if [ "$method" = "$want" ]; then
	ok "$kver: ct-invalid uses $method"
else
	bad "$kver: ct-invalid uses '$method', want '$want'"
fi

# --- the incident under the agent -----------------------------------------------
"$NSL" agent --json --interval 1s --netns $C --netns $H --netns $S >"$T/agent.json" 2>"$T/agent.err" &
apid=$!
if wait_for "$T/agent.err" 'agent running' 600; then
	ok "agent running"
else
	bad "agent did not start within 60 s"
fi
sleep 3 # the agent hooks namespaces in its housekeeping (every 2 s)
start_server
inject "$T/inject1.out"
sleep 3
stop "$apid"
arc=$?
apid=
stop_server
echo "agent rc=$arc; its stderr:"
sed 's/^/    /' "$T/agent.err"
[ $arc -eq 0 ] && ok "agent stopped cleanly" || bad "agent rc=$arc"

if grep -q 'result=reset' "$T/inject1.out"; then
	ok "client connection reset by the injected segments"
else
	bad "injection result: $(cat "$T/inject1.out")"
fi
echo "anomaly lines:"
grep '"type":"anomaly"' "$T/agent.json"
if grep '"type":"anomaly"' "$T/agent.json" | grep -q '"kind":"conntrack_invalid_reset"'; then
	ok "immediate anomaly line conntrack_invalid_reset"
else
	bad "no {\"type\":\"anomaly\"} line with conntrack_invalid_reset"
fi
# the report line only: the agent also ends with {"type":"path","final":true,...} (stalled-flow watch)
grep '"type":"report"' "$T/agent.json" | grep '"final":true' >"$T/final.json"
nfinal=$(grep -c . "$T/final.json")
echo "final report anomalies: $(sed -n 's/.*"anomalies":\(\[.*\]\)}$/\1/p' "$T/final.json")"
# the host namespace's row: "netns_name":"kcth" ... up to its interfaces
hrow=$(sed -n "s/.*\\(\"netns_name\":\"$H\".*\\)/\\1/p" "$T/final.json" | sed 's/"interfaces".*//')
echo "final report, $H: $hrow"
if [ "$nfinal" -eq 1 ] &&
	grep -q "\"kind\":\"conntrack_invalid_reset\"[^{}]*\"dnat_target\":\"$S $SERVER:80\"[^{}]*\"resets\":$N[,}]" \
		"$T/final.json"; then
	ok "final report: anomaly with resets=$N, dnat_target '$S $SERVER:80'"
else
	bad "final report ($nfinal line(s)) lacks an anomaly with resets=$N and dnat_target '$S $SERVER:80'"
fi
if echo "$hrow" | grep -q "\"invalid\":$N,"; then
	ok "$H: conntrack.invalid=$N"
else
	bad "$H: conntrack.invalid is not $N"
fi
if echo "$hrow" | grep -q "\"invalid_resets\":$N[,}]"; then
	ok "$H: conntrack.invalid_resets=$N"
else
	bad "$H: conntrack.invalid_resets is not $N"
fi
# both methods here carry conntrack's reason (the kprobe)
if echo "$hrow" | grep -q "\"invalid_by_reason\":{\"SEQ_OVER_UPPER\":$N}"; then
	ok "$H: invalid_by_reason SEQ_OVER_UPPER=$N"
else
	bad "$H: invalid_by_reason is not {SEQ_OVER_UPPER:$N}"
fi

# --- the events: conntrack's reason and the window miss ---------------------------
# bpf_stats: how often each ct program ran (diagnostic: did the kprobe fire at all?)
bpf_stats=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)
echo 1 >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null
"$NSL" trace --json --event ct-invalid --netns $H >"$T/trace.json" 2>"$T/trace.err" &
tpid=$!
if wait_for "$T/trace.err" 'tracing;' 600; then
	ok "trace running"
else
	bad "trace did not start within 60 s: $(cat "$T/trace.err")"
fi
runs() { bpftool prog show 2>/dev/null | sed -n 's/.* name \(ct_[a-z_]*\) .*run_cnt \([0-9]*\).*/\1=\2/p' | tr '\n' ' '; }
echo "ct programs' run counts before: $(runs)"
start_server
inject "$T/inject2.out"
sleep 1
echo "ct programs' run counts after:  $(runs)"
# far behind the window: conntrack ignores it since 6.1 (IGNORE, not INVALID), DNATed, no RST
inject "$T/inject3.out" --ahead -1000000000 --hold-ms 2000
sleep 1
echo "ct programs' run counts after the far-behind injection: $(runs)"
stop "$tpid"
trc=$?
tpid=
stop_server
echo "trace rc=$trc; its stderr:"
sed 's/^/    /' "$T/trace.err"
echo "events:"
cat "$T/trace.json"
grep -q 'result=reset' "$T/inject2.out" || bad "second injection result: $(cat "$T/inject2.out")"
cport3=$(sed -n 's/.*cport=\([0-9]*\) .*/\1/p' "$T/inject3.out")
n3=$(grep -c "\"sport\":${cport3:-x}," "$T/trace.json")
if grep -q 'result=timeout' "$T/inject3.out" && [ "$n3" -eq 0 ]; then
	ok "far behind the window: client survives, nothing counted INVALID"
else
	bad "far behind the window: $(sed -n 's/.*\(result=.*\)/\1/p' "$T/inject3.out"), $n3 ct_invalid event(s) (want timeout, 0)"
fi
cport2=$(sed -n 's/.*cport=\([0-9]*\) .*/\1/p' "$T/inject2.out")
grep "\"sport\":${cport2:-x}," "$T/trace.json" >"$T/trace2.json"
mv "$T/trace2.json" "$T/trace.json"
nev=$(grep -c '"event":"ct_invalid"' "$T/trace.json")
# tcp_in_window()'s words since 6.1: "SEQ is over upper bound %u (over the window of the receiver)"
nreason=$(grep '"event":"ct_invalid"' "$T/trace.json" |
	grep '"sport":[0-9]*,"daddr":"'$PUBLIC'","dport":8080' |
	grep -c '"conntrack":{"reason_code":"SEQ_OVER_UPPER","reason":"SEQ is over upper bound')
nmiss=$(sed -n 's/.*"window_miss":\([0-9]*\)}.*/\1/p' "$T/trace.json" | grep -c '^[1-9]')
reasons=$(sed -n 's/.*"reason":"\([^"]*\)".*/\1/p' "$T/trace.json" | sort | uniq -c | tr '\n' ';')
echo "reasons seen: $reasons"
if [ "$nev" -eq $N ]; then ok "$N ct_invalid events"; else bad "ct_invalid events: $nev, want $N"; fi
if [ "$nreason" -eq $N ]; then
	ok "all carry conntrack's reason 'SEQ is over upper bound ...' on the tuple"
else
	bad "events with reason 'SEQ is over upper bound ...' on the tuple: $nreason of $N"
fi
if [ "$nmiss" -eq $N ]; then ok "window_miss positive in all"; else bad "positive window_miss: $nmiss of $N"; fi
# the client sent no data: the sender's tracked td_end is its iss + 1, and its window is not 0
iss_c=$(sed -n 's/.* iss_c=\([0-9]*\) .*/\1/p' "$T/inject2.out")
td_end=$(sed -n 's/.*"td_end":\([0-9]*\),.*/\1/p' "$T/trace.json" | sort -u | tr '\n' ' ')
maxwin=$(sed -n 's/.*"td_maxwin":\([0-9]*\),.*/\1/p' "$T/trace.json" | sort -u | tr '\n' ' ')
if [ -n "$iss_c" ] && [ "$td_end" = "$(((iss_c + 1) % 4294967296)) " ]; then
	ok "td_end is the client's iss + 1 ($td_end)"
else
	bad "td_end '$td_end', want the client's iss + 1 = $(((${iss_c:-0} + 1) % 4294967296))"
fi
case "$maxwin" in
"" | "0 " | *" 0 "* | "0 "*) bad "td_maxwin '$maxwin', want the client's window (> 0)" ;;
*) ok "td_maxwin $maxwin" ;;
esac

echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
