#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What the conntrack-INVALID netfilter program costs tracked traffic.

A bulk TCP transfer through DNAT (client ns -> "host" ns with DNAT -> server ns), with
and without `netsleuth agent` (which hooks every namespace). Prints throughput of each,
the ratio, and the program's own cost per packet from the kernel's BPF run-time
statistics (kernel.bpf_stats_enabled, switched on for the run and restored).
Needs root. Traffic stays inside the namespaces it creates.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from nslib import IP, Proc, sh  # noqa: E402
from test_conntrack import NatTopology  # noqa: E402

SERVER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 80)); s.listen(); s.settimeout(30)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    n += len(b)
print(n)
"""
CLIENT = r"""
import socket, sys, time
n = int(sys.argv[2]); buf = b"x" * (1 << 16)
c = socket.create_connection((sys.argv[1], 8080), timeout=30); t0 = time.monotonic(); sent = 0
while sent < n:
    sent += c.send(buf)
c.shutdown(socket.SHUT_WR); c.recv(1); print(time.monotonic() - t0)
"""


def transfer(topo, nbytes):
    srv = Proc([IP, "netns", "exec", topo.s, "/usr/bin/python3", "-c", SERVER, topo.server_ip])
    try:
        time.sleep(0.3)
        r = sh("/usr/bin/python3", "-c", CLIENT, topo.public, str(nbytes), ns=topo.c, timeout=120)
        return nbytes / float(r.stdout.strip())
    finally:
        srv.close()


def prog_stats():
    out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True).stdout
    for p in json.loads(out or "[]"):
        if p.get("name") == "ct_invalid_nf":
            return p.get("run_cnt", 0), p.get("run_time_ns", 0)
    return 0, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".output/netsleuth")
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    nbytes = a.mb << 20
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_was = f.read().strip()
    with NatTopology("x") as topo:
        base = sorted(transfer(topo, nbytes) for _ in range(a.rounds))[a.rounds // 2]
        agent = Proc([a.bin, "agent", "--interval", "60s", "--netns", topo.c, "--netns", topo.h, "--netns", topo.s],
                     ready="agent running")
        try:
            time.sleep(2.5)  # namespaces hooked
            with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
                f.write("1")
            c0, t0 = prog_stats()
            traced = sorted(transfer(topo, nbytes) for _ in range(a.rounds))[a.rounds // 2]
            c1, t1 = prog_stats()
            xlated = subprocess.run(["bpftool", "prog", "dump", "xlated", "name", "ct_invalid_nf"],
                                    capture_output=True, text=True).stdout.splitlines()
        finally:
            with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
                f.write(stats_was)
            agent.close()
    runs = c1 - c0
    print(f"bulk TCP through DNAT, {a.mb} MiB x {a.rounds} rounds (median)")
    print(f"  without netsleuth   {base / 1e6:9.1f} MB/s")
    print(f"  with netsleuth      {traced / 1e6:9.1f} MB/s")
    print(f"ratio with/without    {traced / base:.3f}")
    if runs:
        print(f"ct_invalid_nf: {runs} runs (GSO packets), {(t1 - t0) / runs:.1f} ns per run by the kernel's BPF "
              "stats, which include their own two clock reads")
    insns = [l for l in xlated if l.strip()[:1].isdigit()]
    first_jump = next((i for i, l in enumerate(insns) if "goto" in l), None)
    if first_jump is not None:
        print(f"tracked-packet path: {first_jump + 1} instructions to the branch, then return (xlated):")
        for l in insns[:first_jump + 1]:
            print("   " + l.strip())


if __name__ == "__main__":
    main()
