#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Guest test for tests/kernels/kmatrix.sh: every guest test in one boot.
# Runs /guest-rst.sh, /guest-ct.sh, /guest-fdb.sh, /guest-path.sh and /guest-fallback.sh (put into the guest with kmatrix's
# `--file SRC:DEST`), each under its own time limit, prints their output as it
# comes and a combined `guest: N passed, N failed`. Exit status 0 only if
# every script passed. Runs under dash as /test.sh.

SCRIPTS=${GUEST_SCRIPTS:-"/guest-rst.sh /guest-ct.sh /guest-fdb.sh /guest-path.sh /guest-fallback.sh"}
LIMIT=${GUEST_SCRIPT_TIMEOUT:-120} # seconds per script; kmatrix's limit for all is 270 s by default
T=${TMPDIR:-/tmp}/guest-all.$$
mkdir -p "$T"
passed=0
failed=0
summary=
for s in $SCRIPTS; do
	name=$(basename "$s" .sh)
	echo "===== $name ====="
	if ! [ -f "$s" ]; then
		echo "FAIL $s: not in the guest (kmatrix --file SRC:$s)"
		failed=$((failed + 1))
		summary="$summary $name=missing"
		continue
	fi
	t0=$(date +%s)
	# dash has no PIPESTATUS: the status goes through a file
	{
		timeout "$LIMIT" /bin/sh "$s" </dev/null 2>&1
		echo $? >"$T/$name.rc"
	} | tee "$T/$name.out"
	rc=$(cat "$T/$name.rc" 2>/dev/null)
	secs=$(($(date +%s) - t0))
	# "guest: P passed, F failed" (any "guest...:" prefix)
	counts=$(sed -n 's/^guest[^ ]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$T/$name.out" | tail -n1)
	if [ -n "$counts" ]; then
		p=${counts% *}
		f=${counts#* }
	else
		p=0 f=0
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		# died, timed out (124) or failed without counting it
		echo "FAIL $name: exit status ${rc:-unknown} without a failed check (124 or 143: stopped by the ${LIMIT}s limit)"
		failed=$((failed + 1))
	fi
	summary="$summary $name=rc${rc:-?}(${p}ok/${f}fail,${secs}s)"
done
rm -rf "$T"
echo "===== guest-all:$summary ====="
echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
