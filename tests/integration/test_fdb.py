# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Bridge FDB flapping and the overlay misconfiguration behind it (issue #5).

The incident, built for real: an "overlay" namespace with a bridge, a vxlan
port (proxy ARP on, learning off, like Docker's overlay driver) and two
"container" namespaces on veth ports. The bad variant gives vxlan static FDB
and neighbour entries for the *local* container c2, so vxlan answers ARP for
it too and the bridge learns c2's MAC alternately on its veth and on vxlan.
"""
import os
import re
import time

from nslib import IP, NetnsLab, Proc, assert_hooks, json_lines, netns_inode, sh

HERE = os.path.dirname(os.path.abspath(__file__))
L2SEND = os.path.join(HERE, "l2send.py")
AGENT_READY = "agent running"
TRACE_READY = "tracing;"
BRIDGE = "/usr/sbin/bridge" if os.path.exists("/usr/sbin/bridge") else "bridge"


def mac_of(ns, dev):
    out = sh(IP, "-n", ns, "-o", "link", "show", dev).stdout
    return re.search(r"link/ether ([0-9a-f:]{17})", out).group(1)


class OverlayLab(NetnsLab):
    """ovl: br0 + vxlan1 (VNI 42, VTEP 10.98.0.1 on lo) + veth ports vc1, vc2;
    c1 10.0.0.2, c2 10.0.0.3 on eth0. `bad`: static vxlan entries for c2."""

    def __init__(self, tag, bad):
        pid = os.getpid()
        self.ovl, self.c1, self.c2 = f"nsl{pid}{tag}o", f"nsl{pid}{tag}c1", f"nsl{pid}{tag}c2"
        self.bad = bad
        super().__init__()

    def create_namespaces(self):
        for ns in (self.ovl, self.c1, self.c2):
            self.netns(ns)
        return self

    def wire(self):
        o = self.ovl
        # the VTEP address on lo: this kernel has no dummy driver, and vxlan only needs it assigned
        sh(IP, "-n", o, "addr", "add", "10.98.0.1/32", "dev", "lo")
        sh(IP, "-n", o, "link", "add", "br0", "type", "bridge")
        sh(IP, "-n", o, "link", "add", "vxlan1", "type", "vxlan", "id", "42", "dstport", "4789",
           "local", "10.98.0.1", "proxy", "nolearning")
        sh(IP, "-n", o, "link", "set", "vxlan1", "master", "br0")
        for ns, port, addr in ((self.c1, "vc1", "10.0.0.2"), (self.c2, "vc2", "10.0.0.3")):
            sh(IP, "-n", o, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh(IP, "-n", o, "link", "set", port, "master", "br0")
            sh(IP, "-n", ns, "addr", "add", f"{addr}/24", "dev", "eth0")
        self.c2_mac = mac_of(self.c2, "eth0")
        self.c1_mac = mac_of(self.c1, "eth0")
        if self.bad:
            sh(BRIDGE, "fdb", "add", self.c2_mac, "dev", "vxlan1", "dst", "127.0.0.1", "self", "permanent", ns=o)
            sh(IP, "-n", o, "neigh", "add", "10.0.0.3", "lladdr", self.c2_mac, "dev", "vxlan1", "nud", "permanent")
        for dev in ("br0", "vxlan1", "vc1", "vc2"):
            sh(IP, "-n", o, "link", "set", dev, "up")
        for ns in (self.c1, self.c2):
            sh(IP, "-n", ns, "link", "set", "eth0", "up")
        return self

    def arp_cycles(self, n):
        """c1 resolves c2 afresh n times (bounded): each ARP request is flooded to vxlan1 too."""
        for _ in range(n):
            sh(IP, "-n", self.c1, "neigh", "flush", "dev", "eth0")
            sh("busybox", "ping", "-c", "1", "-W", "1", "10.0.0.3", ns=self.c1, check=False)


def monitor_moves(text, mac, port_names):
    """Moves in `bridge monitor fdb` output: consecutive notifications of the MAC on different ports."""
    seq = []
    for line in text.splitlines():
        if not line.startswith(mac) or line.startswith("Deleted") or " self" in line or "master" not in line:
            continue
        m = re.search(r" dev (\S+)", line)
        if m and m.group(1) in port_names:
            seq.append(m.group(1))
    return sum(1 for a, b in zip(seq, seq[1:]) if a != b), seq


def agent_run(ctx, lab, extra=()):
    return Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--flap-moves", "3", "--flap-window", "4s",
                 "--no-docker", *extra], ready=AGENT_READY)


def test_overlay_flapping_named_with_cause(ctx):
    """The incident: c2's MAC flaps between vc2 and vxlan1; one anomaly names the bridge, the MAC, both
    ports and c2, its move count matches `bridge monitor fdb`, it closes when the traffic stops, and
    the cause (vxlan1's static entries for c2) is named with the commands that remove them."""
    with OverlayLab("f", bad=True) as lab:
        lab.create_namespaces()
        agent = agent_run(ctx, lab)
        mon = Proc([IP, "netns", "exec", lab.ovl, BRIDGE, "monitor", "fdb"])
        try:
            time.sleep(0.5)
            lab.wire()
            lab.arp_cycles(12)
            time.sleep(5.5)  # a whole window without a move: the anomaly closes
        finally:
            mon.stop()
            assert agent.stop() == 0, agent.stderr()
        lines = json_lines(agent.stdout())
        anomalies = [x["anomaly"] for x in lines if x.get("type") == "anomaly"]
        flaps = [a for a in anomalies if a["kind"] == "fdb_flapping" and a["mac"] == lab.c2_mac]
        assert flaps, f"no fdb_flapping anomaly for {lab.c2_mac}: {anomalies}\n{agent.stderr()}"
        opened = [a for a in flaps if a["state"] == "open"]
        closed = [a for a in flaps if a["state"] == "closed"]
        assert len(opened) == 1 and len(closed) == 1, f"opened once and closed once, got {flaps}"
        a = closed[0]
        assert a["bridge"] == "br0" and a["netns"] == netns_inode(lab.ovl), a
        assert a["owner"] == lab.c2 and a["owner_netns"] == netns_inode(lab.c2), a
        ports = {p["name"]: p for p in a["ports"]}
        assert set(ports) == {"vc2", "vxlan1"}, a["ports"]
        assert ports["vc2"]["kind"] == "veth" and ports["vxlan1"]["kind"] == "vxlan", a["ports"]
        assert ports["vc2"]["owner"] == lab.c2, a["ports"]
        moves, seq = monitor_moves(mon.stdout(), lab.c2_mac, {"vc2", "vxlan1"})
        assert moves >= 6, f"the lab did not flap: {seq}"
        assert a["moves_total"] == moves, f"netsleuth counted {a['moves_total']} moves, bridge monitor {moves}"
        # the cause and its fix, from the overlay audit
        assert a["cause"] and "vxlan1" in a["cause"], a
        assert f"bridge fdb del {lab.c2_mac} dev vxlan1" in a["fix"], a["fix"]
        assert "ip neigh del 10.0.0.3 dev vxlan1" in a["fix"], a["fix"]
        final = [x for x in lines if x.get("type") == "report" and x["final"]][0]
        rows = {r["netns"]: r for r in final["namespaces"]}
        assert rows[netns_inode(lab.c2)]["l2"]["fdb_moves"] == moves, rows[netns_inode(lab.c2)]["l2"]
        assert rows[netns_inode(lab.c1)]["l2"]["neigh_duplicate_answers"] >= 1, rows[netns_inode(lab.c1)]["l2"]
        br = [b for b in final["bridges"] if b["netns"] == netns_inode(lab.ovl) and b["name"] == "br0"]
        assert br and br[0]["moves"] == moves, final["bridges"]
        dups = [d for d in final["duplicate_answers"] if d["addr"] == "10.0.0.3"]
        assert dups and dups[0]["netns"] == netns_inode(lab.c1) and dups[0]["lladdr"] == lab.c2_mac, dups
        audit = final["overlay_audit"]
        ours = [f for f in audit if f["netns"] == netns_inode(lab.ovl)]
        assert sorted(f["kind"] for f in ours) == ["fdb", "neigh"], audit
        agent.close()
        mon.close()


def test_healthy_overlay_no_anomaly(ctx):
    """The same lab and traffic without the bad entries: no flapping, no duplicate answers, a clean audit."""
    with OverlayLab("h", bad=False) as lab:
        lab.create_namespaces()
        agent = agent_run(ctx, lab)
        try:
            time.sleep(0.5)
            lab.wire()
            lab.arp_cycles(12)
            time.sleep(1.5)
        finally:
            assert agent.stop() == 0, agent.stderr()
        lines = json_lines(agent.stdout())
        flaps = [x for x in lines if x.get("type") == "anomaly" and x["anomaly"]["kind"] == "fdb_flapping"]
        assert not flaps, flaps
        final = [x for x in lines if x.get("type") == "report" and x["final"]][0]
        br = [b for b in final["bridges"] if b["netns"] == netns_inode(lab.ovl)]
        assert br and br[0]["moves"] == 0 and br[0]["learned"] >= 2, final["bridges"]
        assert not [d for d in final["duplicate_answers"] if d["netns"] == netns_inode(lab.c1)]
        assert not [f for f in final["overlay_audit"] if f["netns"] == netns_inode(lab.ovl)], final["overlay_audit"]
        agent.close()


class TwoPortBridge(NetnsLab):
    """br: bridge br0 with ports p1, p2 whose far ends x1, x2 both live in netns x (one sender, two ports)."""

    def __init__(self, tag):
        pid = os.getpid()
        self.br, self.x = f"nsl{pid}{tag}br", f"nsl{pid}{tag}x"
        super().__init__()

    def setup(self):
        self.netns(self.br)
        self.netns(self.x)
        sh(IP, "-n", self.br, "link", "add", "br0", "type", "bridge")
        for p, x in (("p1", "x1"), ("p2", "x2")):
            sh(IP, "-n", self.br, "link", "add", p, "type", "veth", "peer", "name", x, "netns", self.x)
            sh(IP, "-n", self.br, "link", "set", p, "master", "br0")
            sh(IP, "-n", self.br, "link", "set", p, "up")
            sh(IP, "-n", self.x, "link", "set", x, "up")
        sh(IP, "-n", self.br, "link", "set", "br0", "up")


def fdb_events(trace, mac=None):
    evs = [e for e in json_lines(trace.stdout()) if e["event"] == "fdb"]
    return [e for e in evs if mac is None or e["mac"] == mac]


def test_deterministic_moves_exact(ctx, hooks=()):
    """40 frames from one MAC, alternately from two ports: 1 learn and exactly 39 moves, in events, in
    the kernel's per-MAC count and in the agent's bridge counters; one flapping anomaly."""
    mac, n = "02:5e:00:00:10:01", 40
    with TwoPortBridge("d") as lab:
        ino = netns_inode(lab.br)
        trace = Proc([ctx["bin"], "trace", "--json", "-e", "fdb", "--netns", lab.br, "--no-docker", *hooks],
                     ready=TRACE_READY)
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--netns", lab.br, "--no-docker", *hooks],
                     ready=AGENT_READY)
        try:
            sh("python3", L2SEND, "alternate", mac, str(n), "x1", "x2", ns=lab.x)
            time.sleep(1.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
            assert agent.stop() == 0, agent.stderr()
        evs = fdb_events(trace, mac)
        learns = [e for e in evs if e["action"] == "learn"]
        moves = [e for e in evs if e["action"] == "move"]
        assert len(learns) == 1 and learns[0]["port"]["name"] == "p1", learns
        assert len(moves) == n - 1, f"{len(moves)} moves, want {n - 1}"
        assert [e["moves"] for e in moves] == list(range(1, n)), "per-MAC move numbers not 1..N-1"
        for i, e in enumerate(moves):
            want, old = ("p2", "p1") if i % 2 == 0 else ("p1", "p2")
            assert e["port"]["name"] == want and e["old_port"]["name"] == old, e
            assert e["port"]["kind"] == "veth" and e["bridge"] == "br0" and e["netns"] == ino, e
        lines = json_lines(agent.stdout())
        flaps = [x["anomaly"] for x in lines if x.get("type") == "anomaly" and x["anomaly"]["kind"] == "fdb_flapping"]
        assert len(flaps) == 1 and flaps[0]["mac"] == mac and flaps[0]["state"] == "open", flaps
        final = [x for x in lines if x.get("type") == "report" and x["final"]][0]
        br = [b for b in final["bridges"] if b["netns"] == ino]
        assert br and br[0]["moves"] == n - 1 and br[0]["learned"] == 1, br
        fl = [a for a in final["anomalies"] if a["kind"] == "fdb_flapping"]
        assert fl and fl[0]["moves_total"] == n - 1, fl
        assert_hooks(agent.stderr(), ("fdb-learn",), hooks)
        trace.close()
        agent.close()


def test_churn_thousands_of_macs_nothing_lost(ctx):
    """5,000 MACs learned then aged out (ageing 2 s): 5,000 learns and 5,000 deletions, every MAC once
    each, none lost, kernel counters equal to the events."""
    n = 5000
    with TwoPortBridge("c") as lab:
        sh(IP, "-n", lab.br, "link", "set", "br0", "type", "bridge", "ageing_time", "200")
        trace = Proc([ctx["bin"], "trace", "--json", "-e", "fdb", "--netns", lab.br, "--no-docker"],
                     ready=TRACE_READY)
        try:
            sh("python3", L2SEND, "churn", "02:6e:00:00:00:00", str(n), "x1", ns=lab.x)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                left = sh(BRIDGE, "fdb", "show", "br", "br0", ns=lab.br).stdout.count("02:6e:00")
                if left == 0:
                    break
                time.sleep(0.5)
            assert left == 0, f"{left} entries did not age out"
            time.sleep(0.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
        evs = [e for e in fdb_events(trace) if e["mac"].startswith("02:6e:00")]
        learns = {e["mac"] for e in evs if e["action"] == "learn"}
        dels = {e["mac"] for e in evs if e["action"] == "delete"}
        assert len(learns) == n and len(dels) == n, f"{len(learns)} learned, {len(dels)} deleted of {n}"
        assert len(evs) == 2 * n, f"{len(evs)} events for {n} MACs: duplicates"
        m = re.search(r"(\d+) events printed; kernel counted (\d+) matching; (\d+) lost", trace.stderr())
        assert m and int(m.group(3)) == 0 and m.group(1) == m.group(2), trace.stderr()
        trace.close()


def doctor_problems(ctx, netns_name):
    r = sh(ctx["bin"], "doctor", check=False, timeout=120)
    assert r.returncode in (0, 1), (r.returncode, r.stdout, r.stderr)
    return [l for l in r.stdout.splitlines() if "PROBLEM:" in l and f"in {netns_name} " in l], r.stdout


def test_doctor_overlay_audit_finds_each_bad_entry_and_its_fix_works(ctx):
    """doctor names both bad vxlan entries with a fix command; running those exact commands leaves
    the audit clean; a healthy lab has no finding at all."""
    import shlex
    with OverlayLab("a", bad=True) as lab:
        lab.create_namespaces().wire()
        problems, out = doctor_problems(ctx, lab.ovl)
        assert len(problems) == 2, out
        fdb = [p for p in problems if "PROBLEM: fdb on vxlan1" in p]
        neigh = [p for p in problems if "PROBLEM: neigh on vxlan1" in p]
        assert len(fdb) == 1 and len(neigh) == 1, problems
        assert f"{lab.c2_mac} dst 127.0.0.1 (loopback)" in fdb[0] and f"of {lab.c2} " in fdb[0], fdb
        assert "10.0.0.3 lladdr " + lab.c2_mac in neigh[0], neigh
        for p in problems:
            fix = p.split("; fix: ", 1)[1]
            assert fix.startswith(f"ip netns exec {lab.ovl} "), fix
            sh(*shlex.split(fix))
        problems, out = doctor_problems(ctx, lab.ovl)
        assert not problems, problems
    with OverlayLab("b", bad=False) as lab:
        lab.create_namespaces().wire()
        problems, out = doctor_problems(ctx, lab.ovl)
        assert not problems, problems
        assert re.search(r"vxlan devices?, no entries for local containers", out), out


def test_deterministic_moves_exact_raw_tp(ctx):
    """The same exact counts through the raw_tp programs (the fallback where tp_btf is missing)."""
    test_deterministic_moves_exact(ctx, hooks=("--hooks", "raw_tp,netfilter"))
