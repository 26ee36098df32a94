#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Placeholder guest script for tests/kernels/kmatrix.sh: checks that the guest
# environment is usable for netsleuth's BPF networking tests. Runs as /test.sh
# under busybox sh inside the qemu guest; exit status 0 = PASS.
#
# Only addresses inside the namespaces created here are used (10.99.0.0/24,
# fd99::/64). Every wait is bounded.

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else bad "$d: $out"; fi
}

echo "uname -r: $(uname -r)"
if [ -e /sys/kernel/btf/vmlinux ]; then
	echo "btf: /sys/kernel/btf/vmlinux present"
else
	echo "btf: /sys/kernel/btf/vmlinux MISSING"
fi

# Mounts the agent needs.
for m in /sys/kernel/tracing /sys/fs/bpf /sys/kernel/debug; do
	if grep -q " $m " /proc/mounts; then ok "mounted $m"; else bad "not mounted: $m"; fi
done
check "tracefs has events/tcp" test -d /sys/kernel/tracing/events/tcp
check "/bin/netsleuth is executable" test -x /bin/netsleuth

# Modules (loaded or built in).
for m in veth bridge vxlan nf_conntrack nf_nat nf_tables; do
	if grep -q "^$m " /proc/modules || [ -d "/sys/module/$m" ]; then
		ok "module $m"
	else
		bad "module $m neither loaded nor built in"
	fi
done
echo "modules loaded: $(wc -l </proc/modules)"
if [ -s /run/kmatrix/modules.failed ]; then
	bad "modules that failed to load: $(tr '\n' ' ' </run/kmatrix/modules.failed)"
fi

# Two namespaces linked by a veth pair.
cleanup() {
	ip netns del ks1 2>/dev/null
	ip netns del ks2 2>/dev/null
}
trap cleanup EXIT
check "ip netns add ks1" ip netns add ks1
check "ip netns add ks2" ip netns add ks2
check "veth pair" ip link add kveth1 netns ks1 type veth peer name kveth2 netns ks2
for n in 1 2; do
	ip -n ks$n link set lo up
	ip -n ks$n addr add 10.99.0.$n/24 dev kveth$n
	ip -n ks$n addr add fd99::$n/64 dev kveth$n nodad
	ip -n ks$n link set kveth$n up
done
check "ping 10.99.0.2 from ks1" ip netns exec ks1 ping -c 1 -W 2 10.99.0.2

# Refused connects: 5 RSTs from ks2 (no listener on port 9).
out=$(ip netns exec ks1 tcpstorm connect 10.99.0.2 9 5 --timeout-ms 2000 2>&1)
echo "tcpstorm v4: $out"
case "$out" in *refused=5*) ok "5 connects refused (v4)" ;; *) bad "expected refused=5 (v4)" ;; esac
out=$(ip netns exec ks1 tcpstorm connect fd99::2 9 3 --timeout-ms 2000 2>&1)
echo "tcpstorm v6: $out"
case "$out" in *refused=3*) ok "3 connects refused (v6)" ;; *) bad "expected refused=3 (v6)" ;; esac

# Server-side abortive close: the client receives a RST.
ip netns exec ks2 tcpstorm serve 10.99.0.2 8080 --count 1 --timeout-ms 5000 >/tmp/serve.out 2>&1 &
spid=$!
sleep 1
out=$(ip netns exec ks1 tcpstorm hold 10.99.0.2 8080 --ms 3000 2>&1)
wait $spid
echo "tcpstorm hold: $out; serve: $(cat /tmp/serve.out)"
case "$out" in result=reset) ok "client saw RST" ;; *) bad "expected result=reset" ;; esac

# Things later tests build on: conntrack activation by a NAT rule (nft and
# iptables-nft), a bridge and a vxlan device.
check "nft NAT rule in ks2" ip netns exec ks2 nft -f - <<'EOF'
table ip kmx {
	chain post { type nat hook postrouting priority 100; oifname "kveth2" masquerade; }
}
EOF
check "iptables-nft NAT rule in ks1" ip netns exec ks1 iptables -t nat -A POSTROUTING -o kveth1 -j MASQUERADE
check "iptables conntrack match in ks1" ip netns exec ks1 iptables -A INPUT -m conntrack --ctstate INVALID -j DROP
out=$(ip netns exec ks1 tcpstorm connect 10.99.0.2 9 2 --timeout-ms 2000 2>&1)
case "$out" in *refused=2*) ok "connects refused with conntrack active" ;; *) bad "with conntrack: $out" ;; esac
check "bridge device" ip -n ks1 link add kbr0 type bridge
check "vxlan device" ip -n ks1 link add kvx0 type vxlan id 42 dstport 4789 local 10.99.0.1 dev kveth1
check "vxlan on bridge" ip -n ks1 link set kvx0 master kbr0

echo "summary: $fails failure(s)"
[ "$fails" = 0 ]
