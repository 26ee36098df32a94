# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# What every guest script shares (sourced, dash). Next to them in the guest
# (kmatrix --file tests/kernels/guest-lib.sh:/guest-lib.sh) and in the tree.

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# wait_for FILE STRING TENTHS: until FILE contains STRING, at most TENTHS * 0.1 s
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt "$3" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

# stop PID: SIGINT, bounded wait (15 s), then SIGKILL; prints the exit status
stop() {
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		echo "(pid $1 did not stop on SIGINT within 15 s: killed)"
	fi
	wait "$1"
}
