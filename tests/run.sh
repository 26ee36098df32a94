#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every test, on a fresh Debian 12 host, as root: install what is missing,
# build, run unit tests (no root needed) then integration tests (real BPF on
# the running kernel, traffic only inside namespaces they create).
# Closing line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
tools/deps.sh test || exit 1
make -s -j"$(nproc)" all .output/unit-tests .output/tcpstorm .output/oowinject || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
.output/unit-tests | tee -a "$log" || status=1
/usr/bin/python3 tests/integration/run.py --bin .output/netsleuth --tcpstorm .output/tcpstorm "$@" \
	| tee -a "$log" || status=1

# Hook fallbacks on other kernels, under qemu: Debian's 6.1 (no socketless
# tcp_send_reset, no RST reasons, no netfilter programs) and 6.12; RSTs and
# the conntrack INVALID incident on both. NETSLEUTH_SKIP_KMATRIX=1 skips it locally.
if [ "${NETSLEUTH_SKIP_KMATRIX:-0}" != 1 ]; then
	make -s kmatrix >"$log.km" 2>&1
	cat "$log.km"
	kp=$(grep -c '^kernel .*: PASS' "$log.km")
	kf=$(grep -c '^kernel .*: FAIL' "$log.km")
	ks=$(grep -c '^kernel .*: SKIP' "$log.km")
	[ $((kp + kf)) -gt 0 ] || kf=1	# nothing ran at all: that is a failure
	echo "kernels: $kp passed, $kf failed" | tee -a "$log"
	[ "$ks" -eq 0 ] || echo "($ks kernel(s) skipped: package not available)"
	rm -f "$log.km"
fi

passed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
suites=$(grep -c '^[a-z]*: [0-9]* passed, [0-9]* failed$' "$log")
want=2
[ "${NETSLEUTH_SKIP_KMATRIX:-0}" = 1 ] || want=3
if [ "$suites" -lt "$want" ]; then
	echo "a test suite did not finish"
	failed=$((failed + 1))
	status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
