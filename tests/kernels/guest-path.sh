#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: drops and TCP retransmissions
# (issue #6, tests/integration/test_path.py) on another kernel. The point is
# the hooks: 6.1 and 6.12 have the two-argument tcp_retransmit_skb tracepoint
# (no err), so netsleuth must fall back from the 3-argument one; the counts
# must still equal the kernel's own TcpRetransSegs, and drop reasons must be
# named from the guest kernel's BTF.
#
# Two client namespaces, one server namespace, one veth pair each (no router:
# the server's nft input chain is the path that goes away):
#   kpa (10.97.1.1) -- kps (10.97.1.2): 20 SYNs to a closed port (NO_SOCKET
#       drops in kps), then a connect to port 5001, whose SYNs kps drops
#       (SYN retransmits, NETFILTER_DROP)
#   kpb (10.97.2.1) -- kps (10.97.2.2): an upload (busybox nc) to port 5002
#       that kps starts dropping mid-transfer; kpb's tcp_retries2=3 makes the
#       sender give up (ETIMEDOUT) after ~3 s of retransmissions
# under one `netsleuth agent --json --events` (counts from its final path
# report, flow ends from its events), compared with /proc/net/snmp's
# Tcp RetransSegs inside each client namespace and with the nft counters.
#
# Runs under dash in the guest (as /test.sh or /guest-path.sh); exit status 0
# = PASS. Traffic only inside the namespaces created here; every wait is
# bounded. Paths can be overridden to run it on a host: NETSLEUTH, TCPSTORM,
# BUSYBOX.

NSL=${NETSLEUTH:-/bin/netsleuth}
TCPSTORM=${TCPSTORM:-/bin/tcpstorm}
BUSYBOX=${BUSYBOX:-/bin/busybox}
A=kpa B=kpb S=kps
NREFUSED=20
T=${TMPDIR:-/tmp}/guest-path.$$
. "${GUEST_LIB:-$(dirname "$0")/guest-lib.sh}"

apid= dpid= npid= spid=
cleanup() {
	for p in $apid $dpid $npid $spid; do kill "$p" 2>/dev/null; done
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
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

# nft_packets PORT: packets kps's input rule for tcp dport PORT dropped
nft_packets() {
	ip netns exec $S nft list chain inet kp in |
		sed -n "s/.*tcp dport $1 counter packets \([0-9]*\) bytes.*/\1/p"
}

# ns_row INODE: that namespace's entry in the final path report (namespaces before destinations)
ns_row() {
	sed 's/"destinations":.*//' "$T/final-path.json" | awk -v RS='[{]"netns":' -v ino="$1" 'index($0, ino ",") == 1'
}

# num ROW KEY: the first "KEY":N in ROW
num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" | head -n 1; }

mkdir -p "$T"
kver=$(uname -r)
echo "kernel: $kver"

# --- doctor (in the background: it tries every hook and takes a while under TCG) ------
"$NSL" doctor >"$T/doctor.txt" 2>&1 &
dpid=$!

# --- the topology ------------------------------------------------------------------
setup_ok=1
for ns in $A $B $S; do
	{ ip netns add $ns && ip -n $ns link set lo up; } || setup_ok=0
done
{ ip -n $A link add a0 type veth peer name s1 netns $S &&
	ip -n $B link add b0 type veth peer name s2 netns $S &&
	ip -n $A addr add 10.97.1.1/24 dev a0 && ip -n $S addr add 10.97.1.2/24 dev s1 &&
	ip -n $B addr add 10.97.2.1/24 dev b0 && ip -n $S addr add 10.97.2.2/24 dev s2 &&
	ip -n $A link set a0 up && ip -n $S link set s1 up &&
	ip -n $B link set b0 up && ip -n $S link set s2 up; } || setup_ok=0
# the upload's sender gives up after ~3 s without an ACK (RTO 200 ms, 400, 800, 1600)
echo 3 >"$T/r2" && ip netns exec $B sh -c "cat $T/r2 >/proc/sys/net/ipv4/tcp_retries2" || setup_ok=0
{ ip netns exec $S nft add table inet kp &&
	ip netns exec $S nft add chain inet kp in '{ type filter hook input priority 0; }' &&
	ip netns exec $S nft add rule inet kp in tcp dport 5001 counter drop; } || setup_ok=0
if [ $setup_ok = 1 ]; then
	ok "namespaces $A, $B -- $S, nft input chain in $S"
else
	bad "setup"
	echo "guest-path: $passed passed, $failed failed"
	exit 1
fi
ino_a=$(stat -L -c %i /run/netns/$A)
ino_b=$(stat -L -c %i /run/netns/$B)
ino_s=$(stat -L -c %i /run/netns/$S)

# --- the agent -------------------------------------------------------------------------
"$NSL" agent --json --events --interval 1s --no-docker --netns $A --netns $B --netns $S \
	>"$T/agent.json" 2>"$T/agent.err" &
apid=$!
if wait_for "$T/agent.err" 'agent running' 600; then
	ok "agent running"
else
	bad "agent did not start within 60 s: $(cat "$T/agent.err")"
fi

# the server end of the upload: busybox nc reads everything (tcpstorm listen would not); its
# stdin a fifo opened read-write, which never gives EOF (on EOF nc would end the connection)
mkfifo "$T/fifo"
ip netns exec $S "$BUSYBOX" nc -l -p 5002 <>"$T/fifo" >/dev/null 2>"$T/nc-server.err" &
npid=$!
i=0
while ! ip netns exec $S ss -Htln 2>/dev/null | grep -q ':5002 ' && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
a0=$(retrans_segs $A)
b0=$(retrans_segs $B)

# the upload from kpb, whose path goes away once kpa's 20 connects are done, 0.5 s later
ip netns exec $B "$BUSYBOX" nc 10.97.2.2 5002 </dev/zero >/dev/null 2>"$T/nc-client.err" &
spid=$!
i=0
while ! ip netns exec $B ss -Htn state established 2>/dev/null | grep -q '10.97.2.2:5002' && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip netns exec $B ss -Htn state established | grep -q '10.97.2.2:5002' || bad "the upload did not connect"
# meanwhile from kpa: SYNs to a closed port (NO_SOCKET), then a connect whose SYNs kps drops
ip netns exec $A "$TCPSTORM" connect 10.97.1.2 9 $NREFUSED >"$T/refused.out" 2>&1
echo "tcpstorm connect :9: $(cat "$T/refused.out")"
grep -q "refused=$NREFUSED " "$T/refused.out" || bad "connects to a closed port: $(cat "$T/refused.out")"
sleep 0.5
ip netns exec $S nft add rule inet kp in tcp dport 5002 counter drop || bad "nft rule for 5002"
ip netns exec $A "$TCPSTORM" connect 10.97.1.2 5001 1 --timeout-ms 3500 >"$T/syn.out" 2>&1
echo "tcpstorm connect :5001: $(cat "$T/syn.out")"
grep -q 'timeout=1 ' "$T/syn.out" || bad "the blackholed connect did not time out: $(cat "$T/syn.out")"
# the sender gives up by itself (ETIMEDOUT after ~3 s of retransmissions)
i=0
while kill -0 "$spid" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$spid" 2>/dev/null; then
	bad "the blackholed upload did not time out within 20 s"
	kill "$spid" 2>/dev/null
fi
wait "$spid" 2>/dev/null
spid=
echo "upload client: $(tr '\n' ' ' <"$T/nc-client.err")"
a1=$(retrans_segs $A)
b1=$(retrans_segs $B)
# the server's close after the sender gave up: its FIN answered by a RST, which kps drops too
kill "$npid" 2>/dev/null
wait "$npid" 2>/dev/null
npid=
sleep 1
# The server keeps retransmitting its FIN for a while, each answered by a RST
# that nft drops: the counters are read before and after the agent stops,
# and the agent's count must lie between (equal to both when it is quiet).
drop5001=$(nft_packets 5001)
drop5002=$(nft_packets 5002)
stop "$apid"
arc=$?
apid=
late5002=$(nft_packets 5002)
echo "agent rc=$arc; its stderr:"
sed 's/^/    /' "$T/agent.err"
[ $arc -eq 0 ] && ok "agent stopped cleanly" || bad "agent rc=$arc"

# --- counts: the final path report against /proc/net/snmp and nft --------------------------
grep '"type":"path"' "$T/agent.json" | grep '"final":true' | tail -n 1 >"$T/final-path.json"
[ -s "$T/final-path.json" ] || bad "no final path report"
row_a=$(ns_row "$ino_a")
row_b=$(ns_row "$ino_b")
row_s=$(ns_row "$ino_s")
echo "path report rows:"
echo "    $A: $row_a" | cut -c 1-400
echo "    $B: $row_b" | cut -c 1-400
echo "    $S: $row_s" | cut -c 1-400

# drops in kps, by the kernel's reason, named from this kernel's BTF
nosock=$(num "$row_s" NO_SOCKET)
nfdrop=$(num "$row_s" NETFILTER_DROP)
if [ "${nosock:-0}" -eq $NREFUSED ]; then
	ok "$S: NO_SOCKET drops $nosock == SYNs to the closed port $NREFUSED"
else
	bad "$S: NO_SOCKET drops ${nosock:-none}, want $NREFUSED"
fi
if [ -n "$drop5001" ] && [ -n "$drop5002" ] && [ -n "$late5002" ] &&
	[ "${nfdrop:-0}" -ge $((drop5001 + drop5002)) ] && [ "${nfdrop:-0}" -le $((drop5001 + late5002)) ] &&
	[ "$drop5001" -gt 0 ] && [ "$drop5002" -gt 0 ]; then
	ok "$S: NETFILTER_DROP drops $nfdrop == nft counters $drop5001 (SYNs) + $drop5002..$late5002 (upload; read before..after the agent stopped)"
else
	bad "$S: NETFILTER_DROP drops ${nfdrop:-none}, nft counters ${drop5001:-?} + ${drop5002:-?}"
	grep '"event":"drop"' "$T/agent.json" | grep '"reason":"NETFILTER_DROP"' | cut -c 1-600
fi
reasons=$(echo "$row_s" | sed -n 's/.*"by_reason":{\([^}]*\)}.*/\1/p' | tr ',' '\n' | sed -n 's/^"\([A-Z0-9_]*\)":.*/\1/p')
missing=
for r in $reasons; do
	grep -aq "SKB_DROP_REASON_$r" /sys/kernel/btf/vmlinux || missing="$missing $r"
done
if [ -n "$reasons" ] && [ -z "$missing" ]; then
	ok "$S: reasons $(echo $reasons | tr ' ' ',') are SKB_DROP_REASON_* names in this kernel's BTF"
else
	bad "$S: reasons '$(echo $reasons)', not in the BTF:${missing:- (none at all)}"
fi

# SYN retransmits in kpa == its TcpRetransSegs delta
da=$((a1 - a0))
syn_a=$(num "$row_a" syn)
data_a=$(num "$row_a" data)
segs_a=$(num "$row_a" segments)
if [ "$da" -ge 1 ] && [ "${syn_a:-x}" = "$da" ] && [ "${segs_a:-x}" = "$da" ] && [ "${data_a:-x}" = 0 ]; then
	ok "$A: SYN retransmits $syn_a == segments $segs_a == TcpRetransSegs delta $da, data 0"
else
	bad "$A: syn=${syn_a:-?} data=${data_a:-?} segments=${segs_a:-?}, TcpRetransSegs delta $da (want >= 1, all SYN)"
fi
# data retransmits in kpb == its TcpRetransSegs delta
db=$((b1 - b0))
syn_b=$(num "$row_b" syn)
data_b=$(num "$row_b" data)
segs_b=$(num "$row_b" segments)
if [ "$db" -ge 1 ] && [ "${data_b:-0}" -gt 0 ] && [ "${segs_b:-x}" = "$db" ] && [ "${syn_b:-x}" = 0 ]; then
	ok "$B: data retransmits $data_b, segments $segs_b == TcpRetransSegs delta $db, SYN 0"
else
	bad "$B: syn=${syn_b:-?} data=${data_b:-?} segments=${segs_b:-?}, TcpRetransSegs delta $db (want > 0, all data)"
fi
to_b=$(echo "$row_b" | sed -n 's/.*"flows_died":{"timeout":\([0-9]*\).*/\1/p')
[ "${to_b:-0}" -eq 1 ] && ok "$B: 1 flow died by timeout" || bad "$B: flows_died.timeout=${to_b:-?}, want 1"

# --- events: retransmits and flow ends -----------------------------------------------------
grep '"event":"retrans"' "$T/agent.json" >"$T/retrans.json"
grep '"event":"flow_end"' "$T/agent.json" >"$T/flowend.json"
echo "retrans events: $(grep -c . "$T/retrans.json"); flow_end events:"
sed 's/^/    /' "$T/flowend.json"
nsyn=$(grep '"dport":5001' "$T/retrans.json" | grep '"kind":"syn"' | grep -c '"state":"SYN_SENT"')
[ "$nsyn" = "$da" ] && ok "$nsyn SYN retransmit events for :5001, state SYN_SENT" ||
	bad "SYN retransmit events for :5001: $nsyn, want $da"
ndata=$(grep '"dport":5002' "$T/retrans.json" | grep -c '"kind":"data"')
[ "$ndata" -gt 0 ] && ok "$ndata data retransmit events for :5002" || bad "no data retransmit event for :5002"
fe_a=$(grep '"dport":5001' "$T/flowend.json")
fe_b=$(grep '"dport":5002' "$T/flowend.json")
if echo "$fe_a" | grep -q '"end":"closed"' && echo "$fe_a" | grep -q '"from_state":"SYN_SENT"' &&
	[ "$(num "$fe_a" syn_retransmits)" = "$da" ]; then
	ok "flow_end :5001: closed from SYN_SENT after $da SYN retransmits"
else
	bad "flow_end :5001: '$fe_a'"
fi
if echo "$fe_b" | grep -q '"end":"timeout"' && [ "$(num "$fe_b" retransmits)" = "$data_b" ]; then
	ok "flow_end :5002: timeout after $data_b retransmits"
else
	bad "flow_end :5002: '$fe_b' (want end timeout, retransmits ${data_b:-?})"
fi

# --- doctor: which hook each source uses on this kernel ----------------------------------------
i=0
while kill -0 "$dpid" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$dpid"
echo "doctor rc=$?"
dpid=
hooks=
for src in drop retrans retrans-synack flow-end; do
	sed -n "/^  $src:/,/=>/p" "$T/doctor.txt" >"$T/src.txt"
	sed 's/^/  /' "$T/src.txt"
	using=$(sed -n 's/^    => ok: using \(.*\)$/\1/p' "$T/src.txt")
	what=$(sed -n 's/^    \* [a-z_]* *\(.*\)$/\1/p' "$T/src.txt" | head -n 1)
	hooks="$hooks $src=${using:-none}(${what:-?})"
	if [ -n "$using" ]; then
		ok "$kver: $src uses $using ($what)"
	else
		bad "$kver: $src has no working hook: $(grep '=>' "$T/src.txt")"
	fi
done
case "$hooks" in
*" drop="*"with reason)"*) ok "drop hook has the kernel's reason" ;;
*) bad "drop hook without reason:$hooks" ;;
esac
echo "guest-path hooks on $kver:$hooks"
echo "guest-path result on $kver: drops NO_SOCKET=${nosock:-?} NETFILTER_DROP=${nfdrop:-?} (nft $drop5001+$drop5002);" \
	"$A syn=${syn_a:-?} snmp=$da; $B data=${data_b:-?} segments=${segs_b:-?} snmp=$db"

echo "guest-path: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
