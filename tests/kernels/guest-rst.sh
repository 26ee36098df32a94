#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: netsleuth's RST tracing on another
# kernel. The point is the hook fallback: before 6.10 the tcp_send_reset
# tracepoint never fires for a socketless RST, so netsleuth must pick a
# function hook there (fentry, else kprobe) and still see every one.
# Runs as /test.sh (dash) inside the guest; exit status 0 = PASS. Traffic only
# between the two namespaces created here; every wait is bounded.

N=200
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# start_trace OUT ERR ARGS...: netsleuth trace in the background, back once it traces
start_trace() {
	out=$1 err=$2
	shift 2
	/bin/netsleuth trace "$@" >"$out" 2>"$err" &
	tpid=$!
	i=0
	while ! grep -q 'tracing;' "$err" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'tracing;' "$err" || bad "trace did not start: $(cat "$err")"
}

# stop_trace: SIGINT, bounded wait
stop_trace() {
	kill -INT "$tpid"
	i=0
	while kill -0 "$tpid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	tpid=
}

cleanup() {
	[ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null
	ip netns del kra 2>/dev/null
	ip netns del krb 2>/dev/null
}
trap cleanup EXIT

kver=$(uname -r)
echo "kernel: $kver"
/bin/netsleuth doctor >/tmp/doctor.txt 2>&1
drc=$?
cat /tmp/doctor.txt
# RST tracing itself must work (0: full, 1: something else degraded, e.g. no netfilter links on 6.1)
if [ "$drc" -le 1 ]; then ok "doctor runs (rc=$drc)"; else bad "doctor rc=$drc"; fi
sent_hook=$(sed -n '/^  rst-sent:/,/=>/p' /tmp/doctor.txt | sed -n 's/^    => .*using \(.*\)$/\1/p')
echo "rst-sent hook: $sent_hook"
case "$kver" in
6.1.*)
	case "$sent_hook" in
	fentry | kprobe*) ok "6.1: rst-sent uses a function hook ($sent_hook)" ;;
	*) bad "6.1: rst-sent uses '$sent_hook', which cannot see socketless RSTs" ;;
	esac ;;
*)
	case "$sent_hook" in
	tp_btf | raw_tp) ok "$kver: rst-sent uses the tracepoint with reason ($sent_hook)" ;;
	*) bad "$kver: rst-sent uses '$sent_hook'" ;;
	esac ;;
esac

ip netns add kra && ip netns add krb &&
	ip link add kva netns kra type veth peer name kvb netns krb &&
	ip -n kra addr add 10.98.0.1/24 dev kva && ip -n krb addr add 10.98.0.2/24 dev kvb &&
	ip -n kra link set kva up && ip -n krb link set kvb up &&
	ip -n kra link set lo up && ip -n krb link set lo up || bad "namespace setup"

start_trace /tmp/t.json /tmp/t.err --json --netns kra --netns krb

ip netns exec kra /bin/tcpstorm connect 10.98.0.2 9 $N
sleep 1
stop_trace
cat /tmp/t.err
sent=$(grep -c '"event":"rst_sent"' /tmp/t.json)
recv=$(grep -c '"event":"rst_recv"' /tmp/t.json)
nosock=$(grep '"event":"rst_sent"' /tmp/t.json | grep '"saddr":"10.98.0.2","sport":9,"daddr":"10.98.0.1"' |
	grep -c '"reason":"NO_SOCKET"')
if [ "$sent" -eq $N ]; then ok "$N socketless RSTs sent, all seen"; else bad "sent RST events: $sent, want $N"; fi
if [ "$recv" -eq $N ]; then ok "$N RSTs received"; else bad "received RST events: $recv, want $N"; fi
if [ "$nosock" -eq $N ]; then ok "tuple and NO_SOCKET reason right"; else bad "right tuple+reason: $nosock of $N"; fi
# answering a packet happens in softirq, inside whatever task ran: never a pid
nopid=$(grep '"event":"rst_sent"' /tmp/t.json | grep -c '"pid":null')
if [ "$nopid" -eq $N ]; then ok "softirq RSTs carry no pid"; else bad "softirq RSTs without pid: $nopid of $N"; fi
grep -q "events printed; kernel counted $((2 * N)) matching; 0 lost" /tmp/t.err &&
	ok "kernel counters agree" || bad "kernel counters: $(tail -1 /tmp/t.err)"
head -2 /tmp/t.json

# pid/comm: an active RST (linger-0 close) is sent in process context, by tcpstorm itself;
# a RST answering a packet is sent from softirq and must carry no pid at all
start_trace /tmp/p.json /tmp/p.err --json --netns krb --event rst-sent
ip netns exec krb /bin/tcpstorm serve 10.98.0.2 8080 --count 1 --timeout-ms 5000 &
spid=$!
sleep 0.3
ip netns exec kra /bin/tcpstorm hold 10.98.0.2 8080 --ms 1000
wait "$spid"
sleep 0.5
stop_trace
cat /tmp/p.json
if grep -q 'process context        pid/comm reported' /tmp/doctor.txt; then
	if grep '"sport":8080' /tmp/p.json | grep -q '"pid":[0-9][0-9]*,"comm":"tcpstorm"'; then
		ok "active RST carries the sender's pid/comm"
	else
		bad "active RST without tcpstorm's pid/comm"
	fi
else
	echo "(process context unknown on this kernel: pid/comm not checked)"
fi

echo "guest-rst: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
