#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What the bridge-learning and drop/retransmit hooks cost the traffic they watch.

1. Bridge learning: one sender pushes a fixed number of raw Ethernet frames into a
   bridge port (AF_PACKET, l2send.py's frames) and times it, without and with
   `netsleuth agent` (fdb-learn: the br_fdb_update tracepoint). Two cases: one source
   MAC refreshing its entry (the tracepoint does not fire) and a new MAC in every
   frame (one learn event each). The FDB is flushed before every round. The frames are
   flooded to the bridge's other port, where a packet socket with a filter that keeps
   nothing consumes them: no frame is dropped, so the kfree_skb hook stays out of it.
2. TCP fast path: a bulk transfer of a fixed number of bytes client -> router ->
   server (veth, routed), without and with the agent (kfree_skb, tcp_retransmit_skb,
   inet_sock_set_state tracepoints, and the rest of the agent). Throughput ratio and
   the agent's own CPU time (utime + stime) per GB transferred.

Rounds are paired (without, then with a fresh agent) and the ratio is the median of the
per-round ratios. Each case also prints frames (bytes) per CPU-second of the sender (client +
server): softirq work is charged to them here (no IRQ time accounting), and CPU time is less
disturbed than wall time by whatever else the machine runs.

Prints ratios with/without, never pass/fail: compare runs on the same machine.
Needs root. Traffic stays inside the namespaces it creates; all are deleted.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from nslib import IP, Proc, json_lines, sh  # noqa: E402
from test_fdb import TwoPortBridge  # noqa: E402
from test_path import SINK, Routed  # noqa: E402

AGENT_READY = "agent running"

# l2 MODE N TX RX: N frames out of TX (the far end of bridge port p1), timed; a packet socket on
# RX (far end of p2) with a "ret #0" classic BPF filter consumes the flooded copies, keeping none.
L2 = r"""
import ctypes, resource, socket, struct, sys, time
mode, n, tx, rx = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ETH_P = 0x88B5
SO_ATTACH_FILTER = 26
sink = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P))
prog = ctypes.create_string_buffer(struct.pack("HBBI", 0x06, 0, 0, 0))  # BPF_RET|BPF_K 0
sink.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", 1, ctypes.addressof(prog)))
sink.bind((rx, ETH_P))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((tx, 0))
dst = bytes.fromhex("02005e00ffff")
tail = struct.pack("!H", ETH_P) + b"netsleuth-fdb-test".ljust(46, b"\0")
if mode == "refresh":
    frames = [dst + bytes.fromhex("025e00000a01") + tail] * n
else:
    frames = [dst + b"\x02\x7e" + struct.pack("!I", i) + tail for i in range(n)]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
send = s.send
c0, t0 = cpu(), time.perf_counter()
for f in frames:
    send(f)
dt, dc = time.perf_counter() - t0, cpu() - c0
print(n / dt, n / dc)
"""

# tcp ADDR PORT BYTES: one connection, BYTES sent, timed until the peer has read them all and closed.
CLIENT = r"""
import resource, socket, sys, time
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = memoryview(b"x" * (1 << 18))
c = socket.create_connection((addr, port), timeout=30)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.perf_counter(); sent = 0
while sent < n:
    sent += c.send(buf[:min(len(buf), n - sent)])
c.shutdown(socket.SHUT_WR); c.recv(1)
print(time.perf_counter() - t0, cpu() - c0)
"""


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def other_netsleuths():
    """PIDs of netsleuth processes we did not start: their hooks run on our traffic too."""
    mine = os.getpid()
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != mine:
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() == "netsleuth":
                        out.append(int(d))
            except OSError:
                pass
    return out


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def agent_start(binary, namespaces):
    args = [binary, "agent", "--json", "--interval", "60s", "--no-docker"]
    for ns in namespaces:
        args += ["--netns", ns]
    agent = Proc(args, ready=AGENT_READY)
    time.sleep(2.5)  # namespaces hooked (netfilter links are made by the 2 s housekeeping)
    return agent


def final_report(agent):
    reps = [x for x in json_lines(agent.stdout()) if x.get("type") == "report" and x.get("final")]
    return reps[-1] if reps else {}


def paired_rounds(binary, namespaces, rounds, measure):
    """Each round: measure() without, then with a fresh agent (machines drift: pairs, not blocks).
    Returns [(without, with)] per round, the agent's CPU seconds during measure(), its final reports."""
    pairs, cpu, reports = [], 0.0, []
    for _ in range(rounds):
        base = measure()
        agent = agent_start(binary, namespaces)
        try:
            c0 = cpu_seconds(agent.p.pid)
            traced = measure()
            time.sleep(0.2)  # events still queued in the ring buffer are the agent's work too
            cpu += cpu_seconds(agent.p.pid) - c0
        finally:
            agent.stop()
        reports.append(final_report(agent))
        agent.close()
        pairs.append((base, traced))
    return pairs, cpu, reports


def summarize(pairs, get):
    """Median without, with, and median of the per-round ratios with/without."""
    return (median(get(b) for b, _ in pairs), median(get(t) for _, t in pairs),
            median(get(t) / get(b) for b, t in pairs))


# ---- 1. bridge learning ----

def l2_round(lab, mode, n):
    # both cases start from an empty FDB: the last round's MACs would make the table (and its
    # ageing scans) differ between the rounds compared
    sh(IP, "-n", lab.br, "link", "set", "br0", "type", "bridge", "fdb_flush")
    r = sh("/usr/bin/python3", "-c", L2, mode, str(n), "x1", "x2", ns=lab.x, timeout=120)
    return tuple(float(x) for x in r.stdout.split())  # frames per second, per sender CPU-second


def bench_fdb(binary, n, rounds):
    with TwoPortBridge("l") as lab:
        l2_round(lab, "refresh", 1000)  # warm-up
        pairs, cpu, reports = paired_rounds(binary, [lab.br, lab.x], rounds,
                                            lambda: {m: l2_round(lab, m, n) for m in ("refresh", "learn")})
    learned = sum(b.get("learned", 0) for r in reports for b in r.get("bridges", []))
    return pairs, cpu, learned


# ---- 2. TCP through a router ----

def bench_tcp(binary, nbytes, rounds):
    with Routed("l") as t:
        sink = t.py(t.s, SINK, t.s_ip, 5001, ready="listening")
        try:
            def transfer():
                s0 = cpu_seconds(sink.p.pid)
                r = sh("/usr/bin/python3", "-c", CLIENT, t.s_ip, "5001", str(nbytes), ns=t.c, timeout=120)
                dt, client_cpu = (float(x) for x in r.stdout.split())
                # bytes/s; bytes per CPU-second of client + server (softirqs included: no IRQ time accounting)
                return nbytes / dt, nbytes / (client_cpu + cpu_seconds(sink.p.pid) - s0)

            transfer()  # warm-up
            pairs, cpu, reports = paired_rounds(binary, [t.c, t.r, t.s], rounds, transfer)
        finally:
            sink.close()
    retrans = sum(r.get("retrans", {}).get("segments", 0) for rep in reports for r in rep.get("namespaces", []))
    return pairs, cpu, retrans


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".output/netsleuth")
    ap.add_argument("--frames", type=int, default=200000, help="frames per L2 round")
    ap.add_argument("--mb", type=int, default=1024, help="MiB per TCP round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every round's pair")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    others = other_netsleuths()
    if others:
        print(f"warning: other netsleuth processes running (PIDs {others}): their hooks fire on this "
              "benchmark's traffic too, so 'without' is not netsleuth-free")
    load0 = os.getloadavg()[0]

    pairs, l2_cpu, learned = bench_fdb(binary, a.frames, a.rounds)
    print(f"bridge port, {a.frames} frames x {a.rounds} rounds (medians; ratio: median of per-round ratios), "
          "one Python AF_PACKET sender")
    if a.verbose:
        for i, (b, t) in enumerate(pairs):
            print(f"  round {i + 1}: " + "  ".join(f"{m} {t[m][0]:.0f}/{b[m][0]:.0f}" for m in b))
    l2 = {}
    for mode, what in (("refresh", "one MAC refreshing"), ("learn", "a new MAC every frame")):
        base, traced, ratio = l2[mode] = summarize(pairs, lambda x: x[mode][0])
        cbase, ctraced, cratio = summarize(pairs, lambda x: x[mode][1])
        print(f"fdb {mode}: {ratio:.2f}x throughput ({traced:.0f} vs {base:.0f} frames/s; {what})")
        print(f"  per sender CPU-second: {cratio:.2f}x ({ctraced:.0f} vs {cbase:.0f} frames)")
    print(f"  agent: {l2_cpu * 1e6 / max(learned, 1):.2f} us CPU per learn event (both cases' CPU time), "
          f"{learned} learns counted (expected {a.rounds * (1 + a.frames)})")

    nbytes = a.mb << 20
    pairs, tcp_cpu, retrans = bench_tcp(binary, nbytes, a.rounds)
    if a.verbose:
        for i, (b, t) in enumerate(pairs):
            print(f"  round {i + 1}: tcp {t[0] / 1e6:.0f}/{b[0] / 1e6:.0f} MB/s")
    tbase, ttraced, tratio = summarize(pairs, lambda x: x[0])
    cbase, ctraced, cratio = summarize(pairs, lambda x: x[1])
    gb = a.rounds * nbytes / 1e9
    cpu_gb = tcp_cpu * 1e3 / gb
    tick_gb = 1e3 / os.sysconf("SC_CLK_TCK") / gb
    print(f"TCP client -> router -> server, {a.mb} MiB x {a.rounds} rounds (medians; ratio: median of per-round ratios)")
    print(f"tcp bulk: {tratio:.2f}x throughput ({ttraced / 1e6:.0f} vs {tbase / 1e6:.0f} MB/s)")
    print(f"  per CPU-second of client + server: {cratio:.2f}x ({ctraced / 1e6:.0f} vs {cbase / 1e6:.0f} MB)")
    print(f"  agent: {cpu_gb:.1f} ms CPU per GB transferred (utime+stime, resolution {tick_gb:.1f} ms/GB); "
          f"{retrans} retransmitted segments counted")

    print(f"load average (1 min) {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end, "
          f"{os.cpu_count()} CPUs: anything else running skews the pairs")
    print("summary (with/without netsleuth agent):")
    print(f"  fdb refresh {l2['refresh'][2]:.2f}x  fdb learn {l2['learn'][2]:.2f}x  "
          f"tcp bulk {tratio:.2f}x  agent CPU {cpu_gb:.1f} ms/GB")


if __name__ == "__main__":
    main()
