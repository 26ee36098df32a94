# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Container identity with a real dockerd (issue #3): names on events and counters,
--container filtering in the kernel, re-created and short-lived containers, a dockerd
that goes away, TCP state counts against `ss` in each container's namespace."""
import collections
import time

from dockerlab import DockerLab
from nslib import Proc, json_lines, sh

TRACE_READY = "tracing;"
AGENT_READY = "agent running"


def nsenter(pid, *cmd, timeout=60, check=True):
    return sh("nsenter", "-t", str(pid), "-n", *cmd, timeout=timeout, check=check)


def storm_from(ctx, pid, addr, port, n):
    r = nsenter(pid, ctx["tcpstorm"], "connect", addr, str(port), str(n), timeout=120)
    assert f"refused={n}" in r.stdout, r.stdout


def start_lab(lab):
    lab.import_image()
    return lab


def test_trace_container_filter_follows_recreate(ctx):
    """--container web: only web's RSTs, named; web removed and re-created under the
    same name is followed (new netns); other containers' RSTs never reach user space."""
    with DockerLab() as lab:
        start_lab(lab)
        web1 = lab.run("web", "sleep", "3600")
        other = lab.run("other", "sleep", "3600")
        lab.run("client", "sleep", "3600")
        client_pid = lab.container_pid("client")
        web1_ns = lab.netns_inode("web")
        trace = Proc([ctx["bin"], "trace", "--json", "--container", "web", "--docker-socket", lab.sock],
                     ready=TRACE_READY)
        try:
            storm_from(ctx, client_pid, lab.ip("web"), 9, 20)
            storm_from(ctx, client_pid, lab.ip("other"), 9, 15)
            lab.rm("web")
            web2 = lab.run("web", "sleep", "3600")
            web2_ns = lab.netns_inode("web")
            time.sleep(1.0)  # the start event reaches the agent in ~30 ms
            storm_from(ctx, client_pid, lab.ip("web"), 9, 7)
            time.sleep(0.5)
        finally:
            assert trace.stop() == 0, trace.stderr()
        events = json_lines(trace.stdout())
        by_id = collections.Counter(e["container"]["id"] for e in events if e["container"])
        assert all(e["event"] == "rst_sent" for e in events), "client's received RSTs are not web's"
        assert all(e["container"] and e["container"]["name"] == "web" for e in events), events[:3]
        assert by_id == {web1: 20, web2: 7}, by_id
        assert {e["netns"] for e in events} == {web1_ns, web2_ns}
        assert other not in by_id
        assert all(e["container"]["named"] and e["container"]["image"] for e in events)
        trace.close()


def test_unknown_container_is_a_usage_error(ctx):
    with DockerLab() as lab:
        r = sh(ctx["bin"], "trace", "--container", "nosuch", "--docker-socket", lab.sock,
               "--duration", "1", check=False)
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert "--container nosuch: no running container" in r.stderr


def test_events_named_and_short_lived_container(ctx):
    """Every RST carries the container it happened in, including one from a container
    that lives well under a second."""
    with DockerLab() as lab:
        start_lab(lab)
        web = lab.run("web", "sleep", "3600")
        trace = Proc([ctx["bin"], "trace", "--json", "--docker-socket", lab.sock], ready=TRACE_READY)
        try:
            # blink connects to web's closed port 9 once and is gone ~0.2 s later
            t0 = time.monotonic()
            lab.run("blink", "sh", "-c", f"nc -w 1 {lab.ip('web')} 9 </dev/null; sleep 0.2",
                    detach=False, extra=["--rm"])
            print(f"    blink ran for {time.monotonic() - t0:.2f}s including docker run")
            time.sleep(1.0)
        finally:
            trace.stop()
        events = [e for e in json_lines(trace.stdout()) if e["container"]]
        recv = [e for e in events if e["event"] == "rst_recv" and e["sport"] == 9]
        sent = [e for e in events if e["event"] == "rst_sent" and e["container"]["id"] == web]
        assert all(e["saddr"] == sent[0]["saddr"] for e in recv), (recv, sent)
        assert len(sent) == 1 and sent[0]["container"]["name"] == "web", events
        assert len(recv) == 1, events
        assert recv[0]["container"]["name"] == "blink" and recv[0]["container"]["named"], recv[0]
        trace.close()


def test_dockerd_away_and_back(ctx):
    """dockerd stops (containers live on: live-restore): RSTs still attributed to the
    container, by ID; one warning; names come back when the API does."""
    with DockerLab(live_restore=True) as lab:
        start_lab(lab)
        web = lab.run("web", "sleep", "3600")
        lab.run("client", "sleep", "3600")
        client_pid, web_ip = lab.container_pid("client"), lab.ip("web")
        lab.stop_daemon()
        trace = Proc([ctx["bin"], "trace", "--json", "--docker-socket", lab.sock], ready=TRACE_READY)
        try:
            storm_from(ctx, client_pid, web_ip, 9, 5)
            time.sleep(0.5)
            lab.start_daemon()
            deadline = time.monotonic() + 15
            while "reachable" not in trace.stderr() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "reachable" in trace.stderr(), trace.stderr()
            storm_from(ctx, client_pid, web_ip, 9, 3)
            time.sleep(0.5)
        finally:
            trace.stop()
        err = trace.stderr()
        assert err.count("Docker API unavailable") == 1, err
        sent = [e for e in json_lines(trace.stdout())
                if e["event"] == "rst_sent" and e["container"] and e["container"]["id"] == web]
        assert len(sent) == 8, len(sent)
        before, after = sent[:5], sent[5:]
        assert all(not e["container"]["named"] and e["container"]["name"] == web[:12] for e in before), before[0]
        assert all(e["container"]["named"] and e["container"]["name"] == "web" for e in after), after[0]
        trace.close()


SS_STATES = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
             "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
             "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN", "CLOSING": "CLOSING"}


def ss_states(pid):
    out = nsenter(pid, "ss", "-tanH").stdout
    c = collections.Counter(SS_STATES.get(l.split()[0], l.split()[0]) for l in out.splitlines() if l.strip())
    return {k: v for k, v in c.items() if v}


def agent_states(agent, netns, after):
    """TCP states of `netns` in the first report printed after time `after` (bounded wait)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        reports = [r for r in json_lines(agent.stdout()) if r.get("type") == "report"]
        if len(reports) > after:
            for row in reports[after]["namespaces"]:
                if row["netns"] == netns:
                    return {k: v for k, v in (row["tcp_states"] or {}).items() if v}, row
            raise AssertionError(f"netns {netns} not in report")
        time.sleep(0.2)
    raise AssertionError("no agent report")


def test_agent_tcp_states_match_ss(ctx):
    """Per-container TCP state counts follow connections opened and closed after the
    agent started (transition counters on top of the first snapshot) and equal what
    `ss` shows inside each container's namespace."""
    with DockerLab() as lab:
        start_lab(lab)
        lab.run("web", "sleep", "3600")
        lab.run("client", "sleep", "3600")
        web_pid, client_pid, web_ip = lab.container_pid("web"), lab.container_pid("client"), lab.ip("web")
        web_ns, client_ns = lab.netns_inode("web"), lab.netns_inode("client")
        agent = Proc([ctx["bin"], "agent", "--json", "--interval", "1s", "--docker-socket", lab.sock],
                     ready=AGENT_READY)
        server = Proc(["nsenter", "-t", str(web_pid), "-n", ctx["tcpstorm"], "listen", web_ip, "8080",
                       "--ms", "12000"])
        clients = []
        try:
            time.sleep(0.5)
            # 6 connections held open, then 2 of them closed by the client: FIN_WAIT2 on
            # the client, CLOSE_WAIT on the server (which never closes before 12 s)
            clients.append(Proc(["nsenter", "-t", str(client_pid), "-n", ctx["tcpstorm"], "open", web_ip,
                                 "8080", "--count", "4", "--ms", "10000"]))
            clients.append(Proc(["nsenter", "-t", str(client_pid), "-n", ctx["tcpstorm"], "open", web_ip,
                                 "8080", "--count", "2", "--ms", "1500"]))
            time.sleep(3.5)
            n_reports = len([r for r in json_lines(agent.stdout()) if r.get("type") == "report"])
            want_web, want_client = ss_states(web_pid), ss_states(client_pid)
            got_web, row_web = agent_states(agent, web_ns, n_reports)
            got_client, row_client = agent_states(agent, client_ns, n_reports)
        finally:
            for c in clients:
                c.close()
            server.close()
            assert agent.stop() == 0, agent.stderr()
        assert want_web == {"LISTEN": 1, "ESTABLISHED": 4, "CLOSE_WAIT": 2}, want_web
        assert want_client == {"ESTABLISHED": 4, "FIN_WAIT2": 2}, want_client
        assert got_web == want_web, (got_web, want_web)
        assert got_client == want_client, (got_client, want_client)
        assert row_web["container"]["name"] == "web" and row_client["container"]["name"] == "client"
        # interfaces of the container, with the host side of its veth
        eth0 = [i for i in row_web["interfaces"] if i["name"] == "eth0"]
        assert eth0 and eth0[0]["kind"] == "veth" and eth0[0]["rx_packets"] > 0, row_web["interfaces"]
        assert eth0[0]["host_peer"] and eth0[0]["host_peer"].startswith("veth"), eth0[0]
        agent.close()
