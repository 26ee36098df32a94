# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""RST tracing end to end (issue #2)."""
import collections
import re
import time

from nslib import IP, Proc, Topology, assert_hooks, json_lines, netns_inode, sh

TRACE_READY = "tracing;"
AGENT_READY = "agent running"


def storm(ctx, topo, addr, port, count):
    r = sh(ctx["tcpstorm"], "connect", addr, str(port), str(count), ns=topo.a, timeout=120)
    assert f"refused={count}" in r.stdout, r.stdout
    return r


def kernel_totals(stderr):
    m = re.search(r"(\d+) events printed; kernel counted (\d+) matching; (\d+) lost", stderr)
    assert m, f"no totals line in stderr: {stderr}"
    return tuple(int(x) for x in m.groups())


def test_storm_1000_exact_events_and_counters(ctx, hooks=()):
    """1,000 connects to a closed port: exactly 1,000 sent RSTs in B, 1,000 received in A,
    right tuple and reason, nothing in other namespaces; the agent's kernel counters agree."""
    n = 1000
    with Topology("s") as topo:
        ino_a, ino_b = netns_inode(topo.a), netns_inode(topo.b)
        trace = Proc([ctx["bin"], "trace", "--json", *hooks], ready=TRACE_READY)
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", *hooks], ready=AGENT_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, n)
            time.sleep(0.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
            assert agent.stop() == 0, agent.stderr()
        events = json_lines(trace.stdout())
        ours = [e for e in events if {e["saddr"], e["daddr"]} & {topo.a_ip, topo.b_ip}]
        sent = [e for e in ours if e["event"] == "rst_sent"]
        recv = [e for e in ours if e["event"] == "rst_recv"]
        assert len(sent) == n, f"{len(sent)} sent RST events, want {n}"
        assert len(recv) == n, f"{len(recv)} received RST events, want {n}"
        assert {e["netns"] for e in sent} == {ino_b}, "sent RSTs attributed outside B"
        assert {e["netns"] for e in recv} == {ino_a}, "received RSTs attributed outside A"
        assert all(e["netns_name"] == topo.b for e in sent)
        for e in sent:
            assert (e["saddr"], e["sport"], e["daddr"]) == (topo.b_ip, 9, topo.a_ip), e
            assert e["reason"] == "NO_SOCKET" and e["socket"] is False, e
            assert e["ifname"] == "nslvb" and e["answered"]["tcp_flags"] == ["SYN"], e
        # one RST per connection: every client port exactly once
        ports = collections.Counter(e["dport"] for e in sent)
        assert len(ports) == n and max(ports.values()) == 1, "duplicated or missing client ports"
        assert collections.Counter(e["dport"] for e in recv) == ports, "sent/received tuples disagree"
        assert all(e["state"] == "SYN_SENT" for e in recv)
        printed, counted, lost = kernel_totals(trace.stderr())
        assert lost == 0 and printed == counted, trace.stderr()
        assert_hooks(agent.stderr(), ("rst-sent", "rst-recv"), hooks)

        reports = [s for s in json_lines(agent.stdout()) if s.get("type") == "report"]
        final = [s for s in reports if s["final"]]
        assert len(final) == 1, "agent printed no final report"
        rows = {r["netns"]: r for r in final[0]["namespaces"]}
        assert rows[ino_b]["rst"]["sent"] == n and rows[ino_b]["rst"]["received"] == 0, rows[ino_b]
        assert rows[ino_b]["rst"]["sent_by_reason"] == {"NO_SOCKET": n}, rows[ino_b]
        assert rows[ino_a]["rst"]["received"] == n and rows[ino_a]["rst"]["sent"] == 0, rows[ino_a]
        assert rows[ino_b]["netns_name"] == topo.b and rows[ino_b]["container"] is None
        trace.close()
        agent.close()


def test_netns_filter_in_kernel(ctx):
    """--netns B: only B's events reach user space; the rest is counted as filtered."""
    n = 50
    with Topology("f") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--netns", topo.b], ready=TRACE_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, n)
            time.sleep(0.3)
        finally:
            assert trace.stop() == 0, trace.stderr()
        events = json_lines(trace.stdout())
        ino_b = netns_inode(topo.b)
        assert len(events) == n, f"{len(events)} events, want {n} (B's sent RSTs only)"
        assert all(e["netns"] == ino_b and e["event"] == "rst_sent" for e in events)
        printed, counted, lost = kernel_totals(trace.stderr())
        assert (printed, counted, lost) == (n, n, 0), trace.stderr()
        trace.close()


def test_event_filter(ctx):
    """--event rst-recv: only received RSTs."""
    n = 20
    with Topology("e") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--event", "rst-recv", "--netns", topo.a,
                      "--netns", topo.b], ready=TRACE_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, n)
            time.sleep(0.3)
        finally:
            trace.stop()
        events = json_lines(trace.stdout())
        assert len(events) == n and all(e["event"] == "rst_recv" for e in events), len(events)
        trace.close()


def test_ipv6_storm(ctx):
    n = 100
    with Topology("6") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--netns", topo.a, "--netns", topo.b],
                     ready=TRACE_READY)
        try:
            storm(ctx, topo, topo.b_ip6, 9, n)
            time.sleep(0.3)
        finally:
            trace.stop()
        events = json_lines(trace.stdout())
        sent = [e for e in events if e["event"] == "rst_sent"]
        recv = [e for e in events if e["event"] == "rst_recv"]
        assert len(sent) == n and len(recv) == n, (len(sent), len(recv))
        for e in sent:
            assert e["family"] == "ipv6" and e["saddr"] == topo.b_ip6 and e["daddr"] == topo.a_ip6, e
            assert e["sport"] == 9 and e["reason"] == "NO_SOCKET", e
        for e in recv:
            assert e["saddr"] == topo.b_ip6 and e["daddr"] == topo.a_ip6 and e["sport"] == 9, e
        trace.close()


def test_received_reset_on_established(ctx):
    """Server aborts (SO_LINGER 0): B sends an active RST with a socket, A receives it on an
    ESTABLISHED connection. Both carry the same 4-tuple."""
    with Topology("r") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--netns", topo.a, "--netns", topo.b],
                     ready=TRACE_READY)
        server = Proc([IP, "netns", "exec", topo.b, ctx["tcpstorm"], "serve", topo.b_ip, "8080",
                       "--count", "1"])
        try:
            time.sleep(0.3)
            r = sh(ctx["tcpstorm"], "hold", topo.b_ip, "8080", "--ms", "3000", ns=topo.a)
            assert "result=reset" in r.stdout, r.stdout
            server.wait(30)
            time.sleep(0.3)
        finally:
            trace.stop()
            server.close()
        events = json_lines(trace.stdout())
        recv = [e for e in events if e["event"] == "rst_recv"]
        sent = [e for e in events if e["event"] == "rst_sent"]
        assert len(recv) == 1 and len(sent) == 1, events
        r, s = recv[0], sent[0]
        assert r["netns"] == netns_inode(topo.a) and r["state"] == "ESTABLISHED", r
        assert (r["saddr"], r["sport"], r["daddr"]) == (topo.b_ip, 8080, topo.a_ip), r
        assert s["netns"] == netns_inode(topo.b) and s["socket"] is True, s
        assert (s["saddr"], s["sport"], s["daddr"], s["dport"]) == \
               (topo.b_ip, 8080, topo.a_ip, r["dport"]), s
        assert s["reason"] != "NO_SOCKET" and s["reason_source"] in ("kernel", "derived"), s
        trace.close()


def test_listener_rst_tuple_from_packet(ctx):
    """A bare ACK to a listening 0.0.0.0:8081 makes the listener answer with a RST. The event's
    tuple is the packet's (B's address), not the listener's 0.0.0.0."""
    with Topology("l") as topo:
        server = Proc([IP, "netns", "exec", topo.b, ctx["tcpstorm"], "serve", "0.0.0.0", "8081",
                       "--count", "1", "--timeout-ms", "8000"])
        trace = Proc([ctx["bin"], "trace", "--json", "--netns", topo.b], ready=TRACE_READY)
        try:
            time.sleep(0.3)
            sh("/usr/bin/python3", "-c",
               "from scapy.all import IP, TCP, send\n"
               f"send(IP(src='{topo.a_ip}', dst='{topo.b_ip}')/TCP(sport=40001, dport=8081, "
               "flags='A', seq=1000, ack=5000), verbose=False)", ns=topo.a)
            time.sleep(0.5)
        finally:
            trace.stop()
            server.close()
        events = json_lines(trace.stdout())
        assert len(events) == 1, events
        e = events[0]
        assert (e["saddr"], e["sport"], e["daddr"], e["dport"]) == (topo.b_ip, 8081, topo.a_ip, 40001), e
        assert e["socket"] is True and e["state"] == "LISTEN", e
        assert e["answered"] == {"tcp_flags": ["ACK"], "seq": 1000, "ack": 5000}, e
        trace.close()


def test_counters_exact_when_ring_buffer_overflows(ctx):
    """A 4 KiB ring buffer read only at exit must lose events; the kernel's per-CPU counters
    stay exact and printed + lost == counted."""
    n = 500
    with Topology("o") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--netns", topo.a, "--netns", topo.b,
                      "--ringbuf", "4k", "--poll-ms", "10000"], ready=TRACE_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, n)
        finally:
            assert trace.stop() == 0, trace.stderr()
        printed, counted, lost = kernel_totals(trace.stderr())
        assert counted == 2 * n, trace.stderr()
        assert lost > 0, "a 4 KiB ring buffer should have overflowed"
        assert printed + lost == counted, trace.stderr()
        assert len(json_lines(trace.stdout())) == printed
        trace.close()


def test_agent_text_summary_names_namespaces(ctx):
    n = 30
    with Topology("g") as topo:
        agent = Proc([ctx["bin"], "agent", "--interval", "500ms", "--netns", topo.a, "--netns", topo.b],
                     ready=AGENT_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, n)
            time.sleep(1.2)
            storm(ctx, topo, topo.b_ip, 9, n)
            time.sleep(1.2)
        finally:
            assert agent.stop() == 0, agent.stderr()
        out = agent.stdout()
        assert "netsleuth report (at exit)" in out, out
        final = out[out.rindex("(at exit)"):]
        assert re.search(rf"\n  {topo.b}\s+{netns_inode(topo.b)}\s+{2 * n}\s+0\s", final), final
        assert re.search(rf"RSTs sent by reason: NO_SOCKET={2 * n}\n", final), final
        assert re.search(rf"\n  {topo.a}\s+{netns_inode(topo.a)}\s+0\s+{2 * n}\s", final), final
        # the interval after the second storm reports it as a change
        assert f"RSTs sent by reason: NO_SOCKET={2 * n}  (+{n} sent, +0 received this interval)" in out, out
        # only the namespaces asked for
        assert "\n  host " not in out, out
        agent.close()


def test_count_stops_trace(ctx):
    """--count N: exactly N events printed, then the trace ends by itself."""
    with Topology("c") as topo:
        trace = Proc([ctx["bin"], "trace", "--json", "--count", "5", "--netns", topo.b], ready=TRACE_READY)
        try:
            storm(ctx, topo, topo.b_ip, 9, 20)
            assert trace.wait(15) == 0, trace.stderr()
        finally:
            trace.stop()
        events = json_lines(trace.stdout())
        assert len(events) == 5 and all(e["event"] == "rst_sent" for e in events), events
        trace.close()


def test_storm_1000_exact_events_and_counters_raw_tp(ctx):
    """The same exact counts through the raw_tp programs (the fallback where tp_btf is missing)."""
    test_storm_1000_exact_events_and_counters(ctx, hooks=("--hooks", "raw_tp,netfilter"))
