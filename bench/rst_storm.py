#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What tracing costs an RST storm, and what batched ring-buffer wake-ups save.

Runs N connects to a closed port between two namespaces of our own, three ways:
no tracer; `netsleuth trace --wakeup 0` (the consumer is woken for every
record); `netsleuth trace` with the default batched wake-ups. Prints storm
rates, consumer CPU per event, and the ratios. Needs root. Numbers, not
pass/fail: compare runs on the same machine.
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from nslib import Proc, Topology, json_lines, sh  # noqa: E402


def storm_rate(tcpstorm, topo, n):
    t0 = time.monotonic()
    r = sh(tcpstorm, "connect", topo.b_ip, "9", str(n), ns=topo.a, timeout=600)
    dt = time.monotonic() - t0
    assert f"refused={n}" in r.stdout, r.stdout
    return n / dt


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tck


def run(binary, tcpstorm, n, rounds, extra):
    rates, cpu_per_event, events_total = [], [], 0
    with Topology("b") as topo:
        for _ in range(rounds):
            tracer = None
            if extra is not None:
                tracer = Proc([binary, "trace", "--json", "--netns", topo.a, "--netns", topo.b] + extra,
                              ready="tracing;")
            try:
                c0 = cpu_seconds(tracer.p.pid) if tracer else 0
                rates.append(storm_rate(tcpstorm, topo, n))
                if tracer:
                    time.sleep(0.3)
                    c1 = cpu_seconds(tracer.p.pid)
            finally:
                if tracer:
                    tracer.stop()
            if tracer:
                evs = len(json_lines(tracer.stdout()))
                events_total += evs
                cpu_per_event.append((c1 - c0) / max(evs, 1) * 1e6)
                tracer.close()
    rates.sort()
    med = rates[len(rates) // 2]
    cpu = sorted(cpu_per_event)[len(cpu_per_event) // 2] if cpu_per_event else 0.0
    return med, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".output/netsleuth")
    ap.add_argument("--tcpstorm", default=".output/tcpstorm")
    ap.add_argument("-n", type=int, default=5000, help="connects per round")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    base, _ = run(a.bin, a.tcpstorm, a.n, a.rounds, None)
    eager, eager_cpu = run(a.bin, a.tcpstorm, a.n, a.rounds, ["--wakeup", "0"])
    batched, batched_cpu = run(a.bin, a.tcpstorm, a.n, a.rounds, [])
    print(f"RST storm, {a.n} connects x {a.rounds} rounds (median), 2 events per connect")
    print(f"  no tracer              {base:10.0f} connects/s")
    print(f"  wake-up per record     {eager:10.0f} connects/s  consumer {eager_cpu:6.2f} us CPU/event")
    print(f"  batched wake-ups       {batched:10.0f} connects/s  consumer {batched_cpu:6.2f} us CPU/event")
    print(f"ratio per-record/no-tracer   {eager / base:.2f}")
    print(f"ratio batched/no-tracer      {batched / base:.2f}")
    print(f"ratio consumer CPU batched/per-record {batched_cpu / eager_cpu if eager_cpu else 0:.2f}")


if __name__ == "__main__":
    main()
