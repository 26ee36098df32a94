# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Helpers for netsleuth's integration tests: namespaces, processes, JSON.

Rules these follow (project brief): traffic only inside namespaces the test
created, every loop bounded, everything torn down even on failure, only our
own processes killed, by PID.
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import time

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"


def sh(*args, check=True, ns=None, timeout=60, **kw):
    """Run a command (list form, no shell); inside netns `ns` if given."""
    cmd = list(args)
    if ns:
        cmd = [IP, "netns", "exec", ns] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def netns_inode(name):
    return os.stat(f"/run/netns/{name}").st_ino


def add_netns(name, created):
    """`ip netns add` with loopback up; recorded in `created` for teardown."""
    sh(IP, "netns", "add", name)
    created.append(name)
    sh(IP, "-n", name, "link", "set", "lo", "up")


class NetnsLab:
    """Namespaces a test builds: setup() makes them (self.netns(name) each) and wires them; all
    of them are deleted on exit, also when setup fails halfway."""

    def __init__(self):
        self.created = []

    def netns(self, name):
        add_netns(name, self.created)
        return name

    def setup(self):
        pass

    def __enter__(self):
        try:
            self.setup()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for ns in reversed(self.created):
            sh(IP, "netns", "del", ns, check=False)
        self.created = []
        return False


class Topology(NetnsLab):
    """Client netns A and server netns B joined by a veth pair.

    A: 10.199.0.1/24, fd00:199::1/64 on veth `a`; B: 10.199.0.2/24,
    fd00:199::2/64 on veth `b`. Names carry our PID so parallel runs and
    leftovers from a killed run never collide.
    """

    def __init__(self, tag="t"):
        pid = os.getpid()
        self.a = f"nsl{pid}{tag}a"
        self.b = f"nsl{pid}{tag}b"
        self.a_ip, self.b_ip = "10.199.0.1", "10.199.0.2"
        self.a_ip6, self.b_ip6 = "fd00:199::1", "fd00:199::2"
        super().__init__()

    def setup(self):
        for ns in (self.a, self.b):
            self.netns(ns)
        sh(IP, "link", "add", "nslva", "netns", self.a, "type", "veth", "peer", "name", "nslvb",
           "netns", self.b)
        for ns, dev, ip4, ip6 in ((self.a, "nslva", self.a_ip, self.a_ip6),
                                  (self.b, "nslvb", self.b_ip, self.b_ip6)):
            sh(IP, "-n", ns, "addr", "add", f"{ip4}/24", "dev", dev)
            sh(IP, "-n", ns, "addr", "add", f"{ip6}/64", "dev", dev, "nodad")
            sh(IP, "-n", ns, "link", "set", dev, "up")


class Proc:
    """A background process of ours: output to files, stopped by PID."""

    def __init__(self, args, ready=None, ready_timeout=30):
        self.out = tempfile.NamedTemporaryFile(prefix="nsl-out-", delete=False)
        self.err = tempfile.NamedTemporaryFile(prefix="nsl-err-", delete=False)
        self.p = subprocess.Popen(args, stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL)
        if ready:
            deadline = time.monotonic() + ready_timeout
            while time.monotonic() < deadline:
                if ready in self.stderr():
                    break
                if self.p.poll() is not None:
                    raise AssertionError(f"{args[0]} exited {self.p.returncode}: {self.stderr()}")
                time.sleep(0.05)
            else:
                self.stop()
                raise AssertionError(f"{args[0]} not ready after {ready_timeout}s: {self.stderr()}")

    def stdout(self):
        with open(self.out.name, errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err.name, errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGINT, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(10)
        return self.p.returncode

    def wait(self, timeout=60):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"process did not finish within {timeout}s")

    def close(self):
        self.stop()
        for f in (self.out, self.err):
            f.close()
            os.unlink(f.name)


def assert_hooks(stderr, sources, hooks):
    """With `--hooks`, the agent says which hook each source got: it must be of an allowed kind, or the
    test proved nothing about the fallback it forced."""
    if not hooks:
        return
    allowed = hooks[1].split(",")
    for src in sources:
        m = re.search(rf"^netsleuth: (?:warning: )?{re.escape(src)}: (?:degraded: )?(\S+) ", stderr, re.M)
        assert m and all(k in allowed for k in m.group(1).split("+")), f"{src}: not on {hooks[1]}:\n{stderr}"


def json_lines(text):
    """Every stdout line must be one JSON object: a stray line is a bug."""
    out = []
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise AssertionError(f"line {i + 1} is not JSON ({e}): {line[:200]!r}")
    return out
