# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Drops, retransmissions and stalled flows end to end (issue #6).

client netns C -- router netns R -- server netns S, routed. The router's nft
rules drop what a test wants dropped; kernel counts are checked against the
rule's own counter and against `nstat` inside the sending namespace.
"""
import json
import os
import re
import time

from nslib import IP, NetnsLab, Proc, assert_hooks, json_lines, netns_inode
from nslib import sh as _sh


def sh(*args, **kw):
    """nslib.sh with numbers allowed as arguments."""
    return _sh(*map(str, args), **kw)

AGENT_READY = "agent running"
TRACE_READY = "tracing;"
PY = "/usr/bin/python3"

# Tiny TCP tools run inside the namespaces (no shell).
SINK = r"""
import socket, sys, threading
ls = []
for p in sys.argv[2:]:
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((sys.argv[1], int(p))); l.listen(16); ls.append(l)
def serve(c):
    n = 0
    while True:
        d = c.recv(1 << 16)
        if not d: break
        n += len(d)
    print(f"got {n}", flush=True); c.close()
def acc(l):
    while True:
        c, _ = l.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
for l in ls: threading.Thread(target=acc, args=(l,), daemon=True).start()
print("listening", file=sys.stderr, flush=True)
threading.Event().wait(600)
"""

# send ADDR PORT BYTES CHUNK PAUSE_S: sends BYTES (0: until killed), then waits for the peer's close.
SEND = r"""
import socket, sys, time
addr, port, total, chunk, pause = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
c = socket.create_connection((addr, port), timeout=30); c.settimeout(None)
buf = b"x" * chunk; sent = 0
print("connected", file=sys.stderr, flush=True)
while not total or sent < total:
    c.sendall(buf); sent += len(buf)
    if pause: time.sleep(pause)
c.shutdown(socket.SHUT_WR); c.settimeout(60); c.recv(1)
print(f"sent {sent}", flush=True)
"""

# hold ADDR PORT SECONDS: an idle, healthy connection.
HOLD = r"""
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
print("connected", file=sys.stderr, flush=True)
time.sleep(float(sys.argv[3])); c.close(); print("held", flush=True)
"""

# connect ADDR PORT TIMEOUT: a connect that may time out.
CONNECT = r"""
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])); print("connected")
except OSError as e:
    print(f"failed {e}")
"""


class Routed(NetnsLab):
    """C (10.198.1.1) -- R (10.198.1.254 | 10.198.2.254) -- S (10.198.2.1), with forwarding in R."""

    def __init__(self, tag):
        pid = os.getpid()
        self.c, self.r, self.s = (f"nsl{pid}{tag}{x}" for x in "crs")
        self.c_ip, self.s_ip = "10.198.1.1", "10.198.2.1"
        super().__init__()

    def setup(self):
        for ns in (self.c, self.r, self.s):
            self.netns(ns)
        sh(IP, "link", "add", "nslc0", "netns", self.c, "type", "veth", "peer", "name", "nslr0", "netns", self.r)
        sh(IP, "link", "add", "nsls0", "netns", self.s, "type", "veth", "peer", "name", "nslr1", "netns", self.r)
        for ns, dev, addr in ((self.c, "nslc0", "10.198.1.1/24"), (self.r, "nslr0", "10.198.1.254/24"),
                              (self.r, "nslr1", "10.198.2.254/24"), (self.s, "nsls0", "10.198.2.1/24")):
            sh(IP, "-n", ns, "addr", "add", addr, "dev", dev)
            sh(IP, "-n", ns, "link", "set", dev, "up")
        sh(IP, "-n", self.c, "route", "add", "default", "via", "10.198.1.254")
        sh(IP, "-n", self.s, "route", "add", "default", "via", "10.198.2.254")
        sh(PY, "-c", "open('/proc/sys/net/ipv4/ip_forward', 'w').write('1')", ns=self.r)
        sh("nft", "add", "table", "inet", "nsl", ns=self.r)
        sh("nft", "add", "chain", "inet", "nsl", "pathchain", "{ type filter hook forward priority 0; }", ns=self.r)

    def nft_rule(self, rule):
        """Adds a rule to the router's forward chain; returns its handle."""
        r = sh("nft", "--echo", "--handle", "add", "rule", "inet", "nsl", "pathchain", *rule.split(), ns=self.r)
        m = re.search(r"# handle (\d+)", r.stdout)
        assert m, r.stdout
        return int(m.group(1))

    def nft_del(self, handle):
        sh("nft", "delete", "rule", "inet", "nsl", "pathchain", "handle", str(handle), ns=self.r)

    def nft_packets(self, handle):
        rules = json.loads(sh("nft", "-j", "list", "chain", "inet", "nsl", "pathchain", ns=self.r).stdout)["nftables"]
        for item in rules:
            rule = item.get("rule")
            if rule and rule["handle"] == handle:
                for e in rule["expr"]:
                    if "counter" in e:
                        return e["counter"]["packets"]
        raise AssertionError(f"rule {handle} has no counter")

    def retrans_segs(self, ns):
        """TcpRetransSegs inside ns, as nstat reads it (absolute, history untouched)."""
        out = sh("nstat", "-asz", "TcpRetransSegs", ns=ns).stdout
        m = re.search(r"TcpRetransSegs\s+(\d+)", out)
        assert m, out
        return int(m.group(1))

    def py(self, ns, code, *args, ready=None):
        return Proc([IP, "netns", "exec", ns, PY, "-c", code, *map(str, args)], ready=ready)


def path_reports(stdout):
    return [o for o in json_lines(stdout) if o.get("type") == "path"]


def final_ns(stdout, ino):
    finals = [p for p in path_reports(stdout) if p["final"]]
    assert len(finals) == 1, "no final path report"
    for row in finals[0]["namespaces"]:
        if row["netns"] == ino:
            return row, finals[0]
    raise AssertionError(f"netns {ino} not in the final path report: {finals[0]}")


def stall_anomalies(stdout):
    return [o for o in json_lines(stdout)
            if o.get("type") == "anomaly" and o.get("anomaly", {}).get("kind") == "stalled_flow"]


def test_drops_and_retransmits_exact(ctx, hooks=()):
    """Every 20th data packet of one upload dropped by the router's nft rule: the router's
    NETFILTER_DROP count equals the rule's counter; the client's retransmitted segments equal
    its TcpRetransSegs delta; fast and RTO retransmits are told apart."""
    with Routed("d") as t:
        sink = t.py(t.s, SINK, t.s_ip, 5001, ready="listening")
        h = t.nft_rule("tcp dport 5001 tcp flags & (syn | fin | rst) == 0 numgen inc mod 20 == 0 counter drop")
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--netns", t.c, "--netns", t.r,
                      "--netns", t.s, *hooks], ready=AGENT_READY)
        try:
            before = t.retrans_segs(t.c)
            r = sh(PY, "-c", SEND, t.s_ip, 5001, 8 << 20, 1 << 16, 0, ns=t.c, timeout=120)
            assert f"sent {8 << 20}" in r.stdout, r.stdout + r.stderr
            after = t.retrans_segs(t.c)
            dropped = t.nft_packets(h)
            time.sleep(1.5)
        finally:
            assert agent.stop() == 0, agent.stderr()
            sink.close()
        assert dropped > 0, "the nft rule dropped nothing"
        assert after - before > 0, "no retransmissions: nothing to compare"
        rrow, rep = final_ns(agent.stdout(), netns_inode(t.r))
        assert rrow["drops"]["by_reason"].get("NETFILTER_DROP") == dropped, (rrow, dropped)
        crow, _ = final_ns(agent.stdout(), netns_inode(t.c))
        rt = crow["retrans"]
        assert rt["segments"] == after - before, (rt, after - before)
        assert rt["syn"] == 0 and rt["data"] > 0 and rt["fast"] + rt["rto"] <= rt["data"], rt
        srow = [r for r in rep["namespaces"] if r["netns"] == netns_inode(t.s)]
        assert not srow or srow[0]["retrans"]["data"] == 0, srow
        dests = [d for d in rep["destinations"] if d["daddr"] == t.s_ip and d["dport"] == 5001]
        assert dests and dests[0]["data_retransmits"] == rt["data"], rep["destinations"]
        assert dests[0]["namespaces"][0]["netns"] == netns_inode(t.c), dests
        assert_hooks(agent.stderr(), ("drop", "retrans"), hooks)
        print(f"    router NETFILTER_DROP {dropped} == nft counter {dropped}; client retransmitted segments "
              f"{rt['segments']} == nstat TcpRetransSegs delta {after - before} "
              f"(retransmits {rt['data']}: fast {rt['fast']}, rto {rt['rto']})")
        agent.close()


def test_syn_retransmits_blackholed_port(ctx):
    """SYNs to a port the router blackholes: SYN retransmits in the client's namespace, equal to
    TcpRetransSegs, none as data; the connect's timeout ends the flow."""
    with Routed("y") as t:
        t.nft_rule("tcp dport 5005 counter drop")
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--netns", t.c], ready=AGENT_READY)
        trace = Proc([ctx["bin"], "trace", "--json", "--event", "retrans,flow-end", "--netns", t.c],
                     ready=TRACE_READY)
        try:
            before = t.retrans_segs(t.c)
            r = sh(PY, "-c", CONNECT, t.s_ip, 5005, 3.5, ns=t.c, timeout=30)
            assert "failed" in r.stdout, r.stdout
            after = t.retrans_segs(t.c)
            time.sleep(1.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
            assert agent.stop() == 0, agent.stderr()
        crow, rep = final_ns(agent.stdout(), netns_inode(t.c))
        assert crow["retrans"]["syn"] == after - before >= 2, (crow, after - before)
        assert crow["retrans"]["data"] == 0, crow
        dests = [d for d in rep["destinations"] if d["daddr"] == t.s_ip and d["dport"] == 5005]
        assert dests and dests[0]["syn_retransmits"] == after - before, rep["destinations"]
        events = json_lines(trace.stdout())
        syns = [e for e in events if e["event"] == "retrans"]
        assert len(syns) == after - before and all(e["kind"] == "syn" and e["state"] == "SYN_SENT"
                                                   and e["dport"] == 5005 for e in syns), syns
        # the application gave up (close in SYN_SENT): an orderly close, not a kernel timeout
        ends = [e for e in events if e["event"] == "flow_end"]
        assert len(ends) == 1 and ends[0]["syn_retransmits"] == len(syns) and ends[0]["end"] == "closed", ends
        trace.close()
        agent.close()


def test_trace_drop_events(ctx):
    """trace --event drop: the router's drops with reason NETFILTER_DROP, the flow's tuple and the
    router's interface; retransmit events in the client; rate-limited, counted exactly."""
    with Routed("t") as t:
        sink = t.py(t.s, SINK, t.s_ip, 5006, ready="listening")
        h = t.nft_rule("tcp dport 5006 tcp flags & (syn | fin | rst) == 0 numgen inc mod 10 == 0 counter drop")
        trace = Proc([ctx["bin"], "trace", "--json", "--event", "drop,retrans", "--netns", t.r, "--netns", t.c],
                     ready=TRACE_READY)
        try:
            r = sh(PY, "-c", SEND, t.s_ip, 5006, 1 << 20, 1 << 14, 0, ns=t.c, timeout=60)
            assert "sent" in r.stdout, r.stdout + r.stderr
            dropped = t.nft_packets(h)
            time.sleep(0.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
            sink.close()
        events = json_lines(trace.stdout())
        drops = [e for e in events if e["event"] == "drop" and e["netns"] == netns_inode(t.r)]
        nf = [e for e in drops if e["reason"] == "NETFILTER_DROP"]
        assert 0 < len(nf) <= dropped, (len(nf), dropped)
        for e in nf:
            assert (e["saddr"], e["daddr"], e["dport"], e["proto"]) == (t.c_ip, t.s_ip, 5006, "tcp"), e
            assert e["ifname"] == "nslr0" and e["reason_source"] == "kernel" and e["netns_name"] == t.r, e
        # rate limit: at most 10 a second per (netns, reason), the rest counted as suppressed
        if dropped > len(nf):
            assert nf[-1]["suppressed"] > 0 or len(nf) < 10, nf[-1]
        rt = [e for e in events if e["event"] == "retrans"]
        assert rt and all(e["netns"] == netns_inode(t.c) and e["kind"] == "data" and e["dport"] == 5006
                          for e in rt), rt[:3]
        printed, counted, lost = (int(x) for x in re.search(
            r"(\d+) events printed; kernel counted (\d+) matching; (\d+) lost", trace.stderr()).groups())
        assert lost == 0 and counted >= printed and counted >= dropped, trace.stderr()
        trace.close()


def test_stalled_flow_reported_healthy_and_idle_not(ctx):
    """A flow blackholed mid-transfer is a stalled_flow anomaly within threshold + a few seconds and
    closes as recovered when the path heals; a lossy but moving flow, a healthy paced flow and an
    idle connection held longer than the threshold are never reported."""
    threshold = 3
    with Routed("x") as t:
        sink = t.py(t.s, SINK, t.s_ip, 5002, 5003, 5004, 5007, ready="listening")
        t.nft_rule("tcp dport 5007 tcp flags & (syn | fin | rst) == 0 numgen inc mod 25 == 0 counter drop")
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--stall-threshold", f"{threshold}s",
                      "--netns", t.c, "--netns", t.r, "--netns", t.s], ready=AGENT_READY)
        procs = []
        try:
            stuck = t.py(t.c, SEND, t.s_ip, 5002, 0, 1 << 14, 0.01, ready="connected")
            procs.append(stuck)
            procs.append(t.py(t.c, SEND, t.s_ip, 5003, 40 << 20, 1 << 16, 0.05, ready="connected"))
            procs.append(t.py(t.c, HOLD, t.s_ip, 5004, 3 * threshold + 3, ready="connected"))
            procs.append(t.py(t.c, SEND, t.s_ip, 5007, 400 << 20, 1 << 16, 0.02, ready="connected"))
            time.sleep(1.5)
            h = t.nft_rule("tcp dport 5002 counter drop")
            blocked = time.monotonic()
            opened = None
            while time.monotonic() < blocked + threshold + 8 and not opened:
                opened = [a for a in stall_anomalies(agent.stdout())
                          if a["anomaly"]["dport"] == 5002 and a["transition"] == "opened"]
                time.sleep(0.2)
            seen_after = time.monotonic() - blocked
            assert opened, f"no stalled_flow within {threshold + 8}s: {agent.stdout()[-3000:]}"
            a = opened[0]["anomaly"]
            assert (a["netns"], a["saddr"], a["daddr"], a["state"], a["end"]) == \
                (netns_inode(t.c), t.c_ip, t.s_ip, "open", None), a
            assert a["netns_name"] == t.c and a["where"] == t.c and a["bytes_acked"] > 0, a
            assert a["stuck_ms"] >= threshold * 1000 and a["retransmits"] >= 1, a
            time.sleep(3 * threshold + 1 - (time.monotonic() - blocked))   # the idle hold outlasts the threshold
            t.nft_del(h)
            healed = time.monotonic()
            closed = None
            while time.monotonic() < healed + 40 and not closed:
                closed = [x for x in stall_anomalies(agent.stdout())
                          if x["anomaly"]["dport"] == 5002 and x["transition"] == "closed"]
                time.sleep(0.3)
            assert closed and closed[0]["anomaly"]["end"] == "recovered", agent.stdout()[-3000:]
            assert closed[0]["anomaly"]["state"] == "closed"
        finally:
            for p in procs:
                p.close()
            assert agent.stop() == 0, agent.stderr()
            sink.close()
        others = [x["anomaly"]["dport"] for x in stall_anomalies(agent.stdout()) if x["anomaly"]["dport"] != 5002]
        assert not others, f"flows to ports {others} reported stalled"
        crow, rep = final_ns(agent.stdout(), netns_inode(t.c))
        assert crow["stalls"]["total"] == 1 and crow["stalls"]["open"] == 0, crow
        assert crow["retrans"]["data"] > 0, crow
        print(f"    stalled_flow after {seen_after:.1f}s (threshold {threshold}s); closed as recovered "
              f"{closed[0]['anomaly']['stuck_ms'] / 1000:.1f}s after it stuck")
        agent.close()


def test_stalled_flow_that_dies_closes_as_timeout(ctx):
    """A blackholed upload whose sender gives up (tcp_retries2=4 in its namespace) is reported stalled,
    then closed with end "timeout" (the kernel's ETIMEDOUT), not "recovered"."""
    threshold = 2
    with Routed("t") as t:
        sink = t.py(t.s, SINK, t.s_ip, 5008, ready="listening")
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--stall-threshold", f"{threshold}s",
                      "--netns", t.c, "--netns", t.r, "--netns", t.s], ready=AGENT_READY)
        sender = None
        try:
            # ~6 s of retransmissions with RTO backoff from 200 ms, then ETIMEDOUT
            sh(PY, "-c", "open('/proc/sys/net/ipv4/tcp_retries2', 'w').write('4')", ns=t.c)
            sender = t.py(t.c, SEND, t.s_ip, 5008, 0, 1 << 14, 0.01, ready="connected")
            time.sleep(1)
            t.nft_rule("tcp dport 5008 counter drop")
            deadline = time.monotonic() + 40
            closed = []
            while time.monotonic() < deadline and not closed:
                closed = [x for x in stall_anomalies(agent.stdout())
                          if x["anomaly"]["dport"] == 5008 and x["transition"] == "closed"]
                time.sleep(0.3)
            opened = [x for x in stall_anomalies(agent.stdout())
                      if x["anomaly"]["dport"] == 5008 and x["transition"] == "opened"]
            assert len(opened) == 1, agent.stdout()[-3000:]
            assert closed and closed[0]["anomaly"]["end"] == "timeout", agent.stdout()[-3000:]
            assert closed[0]["anomaly"]["bytes_acked"] > 0, closed[0]
        finally:
            if sender:
                sender.close()
            assert agent.stop() == 0, agent.stderr()
            sink.close()
        crow, _ = final_ns(agent.stdout(), netns_inode(t.c))
        assert crow["stalls"]["total"] == 1 and crow["stalls"]["open"] == 0, crow
        agent.close()


def test_drops_and_retransmits_exact_raw_tp(ctx):
    """The same exact counts through the raw_tp programs (the fallback where tp_btf is missing)."""
    test_drops_and_retransmits_exact(ctx, hooks=("--hooks", "raw_tp,netfilter"))
