#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A private dockerd for tests: start, image, containers, teardown.

    with DockerLab() as lab:
        lab.import_image()
        lab.run("web", "httpd", "-f", "-p", "8080", "-h", "/www", publish=["18080:8080"])
        pid = lab.pid("web")

Isolation. Everything lives under one temp dir (data-root, exec-root,
pidfile, API socket, CLI config) and containers go under their own cgroup
parent, so neither a host's docker nor a parallel lab is touched. By default
dockerd runs in a network namespace of its own (`netns=True`): its docker0,
iptables chains, FORWARD policy, ip_forward and bridge-nf-call-iptables stay
there. In the host netns (`netns=False`) dockerd sets FORWARD to DROP and
flushes any DOCKER chains it finds, which breaks other tests and any other
docker on the machine; that mode refuses to start next to an existing docker0
and restores what dockerd changed on teardown. Published ports listen in
dockerd's netns: reach them with `lab.netns_cmd(...)`. `stop_daemon()` and
`start_daemon()` take the API away and bring it back on the same data
(containers come back stopped: no live-restore).

Teardown (also on failure, also after a half-done start): containers removed,
dockerd SIGTERM then SIGKILL by PID, stray shims and container processes
(found by our exec-root and our cgroup parent) SIGKILLed by PID, mounts under
the temp dir detached, netns and cgroups removed, temp dir deleted.
`python3 dockerlab.py cleanup` does the same for labs whose Python process
died without tearing down.

Commands: `selftest` (prints timings), `record DIR` (records the Docker API
fixtures the unit tests use), `cleanup`.
"""
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

IMAGE = "netsleuth-test/busybox:latest"
BUSYBOX = "/bin/busybox"
LAB_PREFIX = "nsl-dockerlab-"
CGROUP_ROOT = "/sys/fs/cgroup"
IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"


class LabError(AssertionError):
    pass


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self.unix_path)
        except BaseException:
            s.close()
            raise
        self.sock = s


def _run(cmd, timeout=60, check=True, **kw):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(cmd)}: no answer within {timeout}s")
    if check and r.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.02)
    return not _pid_alive(pid)


def _kill_pids(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        _wait_gone(pid, 5)


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


class DockerLab:
    """One private dockerd. Use as a context manager, or start()/stop()."""

    def __init__(self, netns=True, startup_timeout=30, stop_timeout=15, tag="", live_restore=False):
        self.use_netns = netns
        # containers outlive a stopped dockerd: for "the API went away" tests
        self.live_restore = live_restore
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.tag = f"{os.getpid()}{tag}"
        self.dir = None
        self.sock = None
        self.netns = None
        self.cgroup_parent = f"/{LAB_PREFIX}{self.tag}"
        self.proc = None
        self.pid = None
        self.log_path = None
        self.timings = {}
        self._host_state = None
        self._started = False

    # ---- lifecycle -------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        if os.geteuid() != 0:
            raise LabError("dockerd needs root")
        for tool in ("dockerd", "docker"):
            if not shutil.which(tool):
                raise LabError(f"{tool} not found (Debian: apt-get install docker.io)")
        t0 = time.monotonic()
        self._started = True
        try:
            self._start()
        except BaseException:
            log = self.log_tail()
            self.stop()
            if log:
                sys.stderr.write(f"dockerlab: dockerd log tail:\n{log}\n")
            raise
        self.timings["start"] = time.monotonic() - t0
        return self

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix=f"{LAB_PREFIX}{self.tag}-")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.log_path = os.path.join(self.dir, "dockerd.log")
        os.makedirs(os.path.join(self.dir, "cli"))
        # ignore /etc/docker/daemon.json: a host's settings must not leak in
        with open(os.path.join(self.dir, "daemon.json"), "w") as f:
            f.write("{}\n")
        self._write_state()
        if self.use_netns:
            self.netns = f"nsl{self.tag}dk"
            _run([IP, "netns", "add", self.netns])
            self._write_state()
            _run([IP, "-n", self.netns, "link", "set", "lo", "up"])
        else:
            self._host_state = self._save_host_state()
            self._write_state()
        self.start_daemon()

    def start_daemon(self):
        """(Re)start dockerd on the existing data; containers come back stopped."""
        cmd = ["dockerd",
               "--config-file", os.path.join(self.dir, "daemon.json"),
               "--data-root", os.path.join(self.dir, "data"),
               "--exec-root", os.path.join(self.dir, "exec"),
               "--pidfile", os.path.join(self.dir, "docker.pid"),
               "-H", f"unix://{self.sock}",
               "--cgroup-parent", self.cgroup_parent,
               "--iptables=true",
               # a container that ignores SIGTERM (PID 1 has no default handlers)
               # must not hold teardown for the default 15 s
               "--shutdown-timeout", "2"]
        if self.live_restore:
            cmd.append("--live-restore")
        if self.netns:
            # nsenter, not `ip netns exec`: the latter remounts /sys in a new
            # mount namespace, which hides the cgroup mounts dockerd needs
            cmd = ["nsenter", f"--net=/run/netns/{self.netns}"] + cmd
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            # own session: a ^C in the test's terminal must not reach dockerd
            # before we remove its containers
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid
        self._write_state()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise LabError(f"dockerd exited {self.proc.returncode}")
            try:
                status, body = self.api("GET", "/_ping", timeout=2)
                if status == 200 and body == b"OK":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LabError(f"dockerd did not answer /_ping within {self.startup_timeout}s")
            time.sleep(0.05)
        self.timings["daemon_start"] = time.monotonic() - t0

    def stop_daemon(self, sig=signal.SIGTERM):
        """Stop dockerd only (data, netns, image stay): for "the API went away" tests.
        Its containers die with it unless the lab was made with live_restore=True."""
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if sig == signal.SIGKILL:
            # shims and containers outlive a killed dockerd
            _kill_pids(_lab_pids(self.dir, self.cgroup_parent))

    def stop(self):
        """Tear everything down; idempotent, never raises for cleanup steps."""
        if not self._started:
            return
        t0 = time.monotonic()
        errors = []
        if self.pid and self.proc and self.proc.poll() is None:
            # kill containers first: dockerd would otherwise wait for each one
            try:
                ids = self.docker("ps", "-aq", timeout=10).stdout.split()
                if ids:
                    self.docker("rm", "-f", *ids, timeout=30, check=False)
                nets = self.docker("network", "ls", "-q", "--filter", "type=custom",
                                   timeout=10).stdout.split()
                if nets:
                    self.docker("network", "rm", *nets, timeout=30, check=False)
            except LabError as e:
                errors.append(str(e))
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                errors.append(f"dockerd ignored SIGTERM for {self.stop_timeout}s: SIGKILL")
                self.proc.kill()
                self.proc.wait(10)
        errors += _cleanup_lab(self.dir, self.netns, self.cgroup_parent, self._host_state)
        self._started = False
        self.proc = None
        self.timings["teardown"] = time.monotonic() - t0
        for e in errors:
            sys.stderr.write(f"dockerlab: {e}\n")

    def _write_state(self):
        """What `cleanup` needs if this process dies before stop()."""
        st = {"owner": os.getpid(), "netns": self.netns, "cgroup_parent": self.cgroup_parent,
              "host_state": self._host_state}
        tmp = os.path.join(self.dir, "lab.json.tmp")
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.replace(tmp, os.path.join(self.dir, "lab.json"))

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except (OSError, TypeError):
            return ""

    # ---- host-netns mode: what dockerd changes outside its own namespace ----

    @staticmethod
    def _save_host_state():
        if os.path.exists("/sys/class/net/docker0"):
            raise LabError("docker0 exists: another docker runs in the host netns; use netns=True")
        st = {"sysctl": {}, "forward_policy": None}
        for k in ("/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/bridge/bridge-nf-call-iptables",
                  "/proc/sys/net/bridge/bridge-nf-call-ip6tables"):
            try:
                with open(k) as f:
                    st["sysctl"][k] = f.read().strip()
            except OSError:
                pass
        r = _run(["iptables", "-S", "FORWARD"], check=False)
        for line in r.stdout.splitlines():
            if line.startswith("-P FORWARD "):
                st["forward_policy"] = line.split()[2]
        for table in ("filter", "nat"):
            r = _run(["iptables", "-t", table, "-S"], check=False)
            if any(l.startswith("-N DOCKER") for l in r.stdout.splitlines()):
                raise LabError(f"iptables {table} has DOCKER chains: another docker; use netns=True")
        return st

    # ---- API and CLI -----------------------------------------------------

    def env(self):
        e = dict(os.environ)
        e.pop("DOCKER_CONTEXT", None)
        e.pop("DOCKER_TLS_VERIFY", None)
        e["DOCKER_HOST"] = f"unix://{self.sock}"
        e["DOCKER_CONFIG"] = os.path.join(self.dir, "cli")
        return e

    def api(self, method, path, body=None, timeout=10):
        """One HTTP request on our socket: (status, body bytes)."""
        c = _UnixHTTPConnection(self.sock, timeout)
        try:
            hdrs = {}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def docker(self, *args, timeout=60, check=True, input=None):
        return _run(["docker"] + list(args), timeout=timeout, check=check, env=self.env(), input=input)

    def import_image(self, tag=IMAGE):
        """busybox-static rootfs (every applet linked) imported as `tag`; no registry."""
        t0 = time.monotonic()
        if not os.path.exists(BUSYBOX):
            raise LabError(f"{BUSYBOX} missing (Debian: apt-get install busybox-static)")
        root = os.path.join(self.dir, "rootfs")
        for d in ("bin", "etc", "proc", "sys", "dev", "tmp", "www", "root"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        shutil.copy(BUSYBOX, os.path.join(root, "bin", "busybox"))
        applets = _run([BUSYBOX, "--list"]).stdout.split()
        for a in applets + ["sh", "nc", "httpd", "sleep", "ip", "ping", "wget"]:
            p = os.path.join(root, "bin", a)
            if a != "busybox" and not os.path.lexists(p):
                os.symlink("busybox", p)
        with open(os.path.join(root, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        with open(os.path.join(root, "etc", "group"), "w") as f:
            f.write("root:x:0:\nnogroup:x:65534:\n")
        with open(os.path.join(root, "www", "index.html"), "w") as f:
            f.write("netsleuth\n")
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        try:
            r = subprocess.run(["docker", "import", "-c", 'CMD ["/bin/sh"]', "-", tag],
                               stdin=tar.stdout, capture_output=True, text=True, timeout=60,
                               env=self.env())
        finally:
            tar.stdout.close()
            tar.wait(30)
        if r.returncode != 0:
            raise LabError(f"docker import failed: {r.stderr.strip()}")
        self.timings["import"] = time.monotonic() - t0
        return tag

    def run(self, name, *cmd, image=IMAGE, publish=(), network=None, labels=None, extra=(),
            detach=True, stop_timeout=1, timeout=60):
        """docker run; returns the full container id (detached) or the CompletedProcess.
        stop_timeout: busybox as PID 1 ignores SIGTERM, and dockerd waits this long
        for each container when it shuts down (default 10 s)."""
        args = ["run", "--name", name, "--stop-timeout", str(stop_timeout)]
        if detach:
            args.append("-d")
        for p in publish:
            args += ["-p", p]
        if network:
            args += ["--network", network]
        for k, v in (labels or {}).items():
            args += ["--label", f"{k}={v}"]
        args += list(extra) + [image] + list(cmd)
        r = self.docker(*args, timeout=timeout, check=detach)
        return r.stdout.strip() if detach else r

    def rm(self, name, force=True, timeout=30):
        args = ["rm"] + (["-f"] if force else []) + [name]
        return self.docker(*args, timeout=timeout)

    def rename(self, old, new):
        return self.docker("rename", old, new, timeout=30)

    def exec(self, name, *cmd, timeout=30, check=True):
        return self.docker("exec", name, *cmd, timeout=timeout, check=check)

    def inspect(self, name):
        r = self.docker("inspect", "--type", "container", name, timeout=30)
        return json.loads(r.stdout)[0]

    def container_pid(self, name):
        return int(self.inspect(name)["State"]["Pid"])

    def netns_inode(self, name):
        pid = self.container_pid(name)
        if not pid:
            raise LabError(f"{name} is not running")
        return os.stat(f"/proc/{pid}/ns/net").st_ino

    def ip(self, name, network=None):
        nets = self.inspect(name)["NetworkSettings"]["Networks"] or {}
        if network is None:
            network = "bridge" if "bridge" in nets else next(iter(nets), None)
        if network not in nets or not nets[network].get("IPAddress"):
            raise LabError(f"{name} has no IPv4 address on {network}")
        return nets[network]["IPAddress"]

    def network_create(self, name, *extra):
        return self.docker("network", "create", *extra, name, timeout=30).stdout.strip()

    def network_connect(self, net, name):
        return self.docker("network", "connect", net, name, timeout=30)

    def network_disconnect(self, net, name):
        return self.docker("network", "disconnect", net, name, timeout=30)

    def wait_state(self, name, running, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if bool(self.inspect(name)["State"]["Running"]) == running:
                return
            time.sleep(0.05)
        raise LabError(f"{name}: running != {running} after {timeout}s")

    def netns_cmd(self, *cmd, timeout=30, check=True):
        """A command where dockerd's published ports listen (its netns, or the host)."""
        if self.netns:
            cmd = ["nsenter", f"--net=/run/netns/{self.netns}"] + list(cmd)
        return _run(list(cmd), timeout=timeout, check=check)


# ---- teardown, shared by stop() and `cleanup` --------------------------------

def _lab_pids(labdir, cgroup_parent):
    """Processes dockerd left behind: shims (by our exec-root) and container
    processes (by our cgroup parent). Ours, found by what we gave them."""
    pids = set()
    execroot = os.path.join(labdir, "exec").encode() if labdir else None
    if execroot:
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == os.getpid():
                continue
            argv = _cmdline(int(p))
            if any(a.startswith(execroot) for a in argv[1:]):
                pids.add(int(p))
    if cgroup_parent:
        for procs in glob.glob(f"{CGROUP_ROOT}/*{cgroup_parent}/**/cgroup.procs", recursive=True):
            try:
                with open(procs) as f:
                    pids.update(int(x) for x in f.read().split())
            except OSError:
                pass
    pids.discard(os.getpid())
    return sorted(pids)


def _remove_cgroups(cgroup_parent):
    errors = []
    for top in glob.glob(f"{CGROUP_ROOT}/*{cgroup_parent}"):
        # leaves first
        for d, _, _ in sorted(os.walk(top), key=lambda x: -x[0].count("/")):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)	# EBUSY until the last task is reaped
            else:
                errors.append(f"cannot remove cgroup {d}")
    return errors


def _unmount_under(path):
    real = os.path.realpath(path)
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == real or mp.startswith(real + "/"):
                mounts.append(mp)
    errors = []
    for mp in sorted(mounts, key=len, reverse=True):
        r = _run(["umount", "-l", mp], check=False, timeout=30)
        if r.returncode != 0 and os.path.ismount(mp):
            errors.append(f"umount {mp}: {r.stderr.strip()}")
    return errors


def _rmtree_no_mounts(path):
    """rm -rf that never crosses into a mount (a bind of a host path)."""
    def onerror(fn, p, exc):
        pass
    for root, dirs, _ in os.walk(path):
        for d in list(dirs):
            if os.path.ismount(os.path.join(root, d)):
                raise LabError(f"{os.path.join(root, d)} is still a mount point: not deleting {path}")
    shutil.rmtree(path, onerror=onerror)
    return [] if not os.path.exists(path) else [f"could not fully remove {path}"]


def _restore_host(st):
    errors = []
    if os.path.exists("/sys/class/net/docker0"):
        _run([IP, "link", "del", "docker0"], check=False)
    for line in os.listdir("/sys/class/net"):
        if line.startswith("br-") and len(line) == 15:
            _run([IP, "link", "del", line], check=False)
    for table in ("filter", "nat"):
        rules = _run(["iptables", "-t", table, "-S"], check=False).stdout.splitlines()
        for r in rules:
            if r.startswith("-A ") and ("DOCKER" in r or "docker0" in r or " br-" in r):
                _run(["iptables", "-t", table] + ["-D"] + r.split()[1:], check=False)
        for r in rules:
            if r.startswith("-N DOCKER"):
                _run(["iptables", "-t", table, "-F", r.split()[1]], check=False)
        for r in rules:
            if r.startswith("-N DOCKER"):
                if _run(["iptables", "-t", table, "-X", r.split()[1]], check=False).returncode:
                    errors.append(f"iptables -t {table} -X {r.split()[1]} failed")
    if st.get("forward_policy"):
        _run(["iptables", "-P", "FORWARD", st["forward_policy"]], check=False)
    for k, v in st.get("sysctl", {}).items():
        try:
            with open(k, "w") as f:
                f.write(v)
        except OSError as e:
            errors.append(f"restore {k}: {e}")
    return errors


def _cleanup_lab(labdir, netns, cgroup_parent, host_state):
    errors = []
    pids = _lab_pids(labdir, cgroup_parent)
    if pids:
        errors.append(f"SIGKILL to leftover processes {pids}")
        _kill_pids(pids)
    if labdir and os.path.isdir(labdir):
        errors += _unmount_under(labdir)
    if netns and os.path.exists(f"/run/netns/{netns}"):
        r = _run([IP, "netns", "del", netns], check=False)
        if r.returncode:
            errors.append(f"ip netns del {netns}: {r.stderr.strip()}")
    if cgroup_parent:
        errors += _remove_cgroups(cgroup_parent)
    if host_state:
        errors += _restore_host(host_state)
    if labdir and os.path.isdir(labdir):
        try:
            errors += _rmtree_no_mounts(labdir)
        except LabError as e:
            errors.append(str(e))
    return errors


def cleanup_stale():
    """Labs whose owner process is gone (a killed test run)."""
    n = 0
    for d in glob.glob(os.path.join(tempfile.gettempdir(), LAB_PREFIX + "*")):
        try:
            with open(os.path.join(d, "lab.json")) as f:
                st = json.load(f)
        except (OSError, ValueError):
            continue
        if _pid_alive(st["owner"]):
            continue
        # dockerd first, by the PID it wrote; confirm it is ours by its argv
        try:
            with open(os.path.join(d, "docker.pid")) as f:
                pid = int(f.read().strip())
            if any(a.startswith(d.encode()) for a in _cmdline(pid)):
                os.kill(pid, signal.SIGTERM)
                if not _wait_gone(pid, 15):
                    _kill_pids([pid])
        except (OSError, ValueError):
            pass
        for e in _cleanup_lab(d, st.get("netns"), st.get("cgroup_parent"), st.get("host_state")):
            print(f"dockerlab: {e}")
        print(f"dockerlab: cleaned {d}")
        n += 1
    return n


# ---- commands ----------------------------------------------------------------

def selftest():
    t_all = time.monotonic()
    with DockerLab() as lab:
        print(f"dockerd up in {lab.timings['start']:.2f}s (netns {lab.netns}, {lab.dir})")
        lab.import_image()
        print(f"image imported in {lab.timings['import']:.2f}s")
        t0 = time.monotonic()
        lab.run("nsl-srv", "sh", "-c",
                "httpd -p 8080 -h /www; while true; do echo pong | nc -l -p 9000; done",
                publish=["18080:8080"])
        lab.run("nsl-cli", "sleep", "3600")
        print(f"two containers running in {time.monotonic() - t0:.2f}s")
        srv_ip = lab.ip("nsl-srv")
        t0 = time.monotonic()
        out = ""
        for _ in range(50):	# nc may not listen yet
            out = lab.exec("nsl-cli", "nc", "-w", "2", srv_ip, "9000", check=False).stdout
            if "pong" in out:
                break
            time.sleep(0.1)
        assert "pong" in out, f"nc to {srv_ip}:9000 got {out!r}"
        out = lab.exec("nsl-cli", "wget", "-qO-", f"http://{srv_ip}:8080/").stdout
        assert out == "netsleuth\n", out
        out = lab.netns_cmd(BUSYBOX, "wget", "-qO-", "http://127.0.0.1:18080/").stdout
        assert out == "netsleuth\n", f"published port: {out!r}"
        print(f"TCP: nc and http container->container ({srv_ip}) and published port "
              f"in {time.monotonic() - t0:.2f}s")
        ino = lab.netns_inode("nsl-srv")
        assert ino != os.stat("/proc/self/ns/net").st_ino
        lab.rename("nsl-cli", "nsl-cli2")
        lab.rm("nsl-cli2")
        print(f"nsl-srv: pid {lab.container_pid('nsl-srv')} netns {ino}")
        lab_dir, netns = lab.dir, lab.netns
    print(f"teardown in {lab.timings['teardown']:.2f}s")
    assert not os.path.exists(lab_dir), lab_dir
    assert not os.path.exists(f"/run/netns/{netns}")
    assert not glob.glob(f"{CGROUP_ROOT}/*{lab.cgroup_parent}")
    print(f"selftest ok in {time.monotonic() - t_all:.2f}s")
    return 0


def record(outdir):
    """Real replies for tests/unit/data/docker: list, inspects, version, events."""
    os.makedirs(outdir, exist_ok=True)

    def save(name, data):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print(f"  {name} ({len(data)} bytes)")

    with DockerLab() as lab:
        lab.import_image()
        since = time.time()
        lab.run("nsl-web", "httpd", "-f", "-p", "8080", "-h", "/www", publish=["18080:8080"],
                labels={"io.kubernetes.pod.name": "web-7d9f8b-x2x9q",
                        "io.kubernetes.pod.namespace": "shop",
                        "io.kubernetes.container.name": "web"})
        lab.network_create("nsl-extra", "--ipv6", "--subnet", "fd00:5e1e::/64")
        lab.run("nsl-twonet", "sleep", "3600")
        lab.network_connect("nsl-extra", "nsl-twonet")
        lab.run("nsl-hostnet", "sleep", "3600", network="host")
        lab.run("nsl-ctrnet", "sleep", "3600", network="container:nsl-web")
        lab.run("nsl-stopped", "sh", "-c", "exit 3")
        lab.wait_state("nsl-stopped", False)
        lab.run("nsl-renameme", "sleep", "3600")
        lab.rename("nsl-renameme", "nsl-renamed")
        lab.rm("nsl-renamed")
        lab.network_disconnect("nsl-extra", "nsl-twonet")
        lab.network_connect("nsl-extra", "nsl-twonet")
        time.sleep(0.2)
        until = time.time() + 0.5
        st, body = lab.api("GET", "/version")
        save("version.json", body)
        st, body = lab.api("GET", "/v1.41/containers/json")
        assert st == 200, st
        save("list.json", body)
        for n in ("web", "twonet", "hostnet", "ctrnet", "stopped"):
            st, body = lab.api("GET", f"/v1.41/containers/nsl-{n}/json")
            assert st == 200, (n, st)
            save(f"inspect_{n}.json", body)
        st, body = lab.api("GET", "/v1.41/containers/nsl-nosuch/json")
        assert st == 404, st
        save("inspect_404.json", body)
        st, body = lab.api("GET", f"/v1.41/events?since={since:.9f}&until={until:.9f}", timeout=15)
        assert st == 200, st
        save("events.jsonl", body)
    print(f"recorded into {outdir}")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "selftest":
        return selftest()
    if len(argv) == 3 and argv[1] == "record":
        return record(argv[2])
    if len(argv) == 2 and argv[1] == "cleanup":
        print(f"dockerlab: {cleanup_stale()} stale lab(s)")
        return 0
    sys.stderr.write(f"usage: {argv[0]} selftest | record DIR | cleanup\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
