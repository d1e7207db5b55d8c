"""`stepcache generate --launcher ray --ray-address`: a real Ray cluster of two nodes on this machine (a head and a
node joining it on 127.0.0.1, one CPU each, separate processes), the job submitted to it. A node killed mid-job
loses no item; a driver killed with SIGKILL is resumed by a rerun; the PNGs are those of one process.

Every Ray process the test starts is a child of the two ``ray start --block`` processes it launched, with their own
temporary folder and ports: the finalizer kills exactly those process trees (never ``ray stop``, which would stop
every Ray cluster on the machine). Deselect with ``-m 'not cluster'``."""

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import secrets

import pytest

from stepcache.jobs import JobSpec, Output, run_job

pytestmark = [pytest.mark.cluster,
              pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the stepcache[ray] extra")]

N = 40  # items: enough that a driver killed after 3 of them is killed mid-job, however fast the rest go
ROOT = Path(__file__).parents[1]
SPEC = dict(classes=[i % 10 for i in range(N)], steps=10, batch_size=1, seed=7,
            deepcache={"interval": 3, "branch": 2})
#: fast failure detection, so that the lost node's actor is declared dead within seconds
RAY_ENV = {"RAY_health_check_period_ms": "500", "RAY_health_check_failure_threshold": "3",
           "RAY_health_check_initial_delay_ms": "0", "RAY_USAGE_STATS_ENABLED": "0", "OMP_NUM_THREADS": "1",
           # the cluster's own token: only this test's processes talk to it
           "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
ENV = dict(os.environ, **RAY_ENV, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
RAY = str(Path(sys.executable).parent / "ray")


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _node_args(temp: Path) -> list[str]:
    om, nm, agent, agent_grpc, env_agent, metrics = _free_ports(6)
    return ["--num-cpus", "1", "--temp-dir", str(temp), "--object-manager-port", str(om), "--node-manager-port",
            str(nm), "--dashboard-agent-listen-port", str(agent), "--dashboard-agent-grpc-port", str(agent_grpc),
            "--runtime-env-agent-port", str(env_agent), "--metrics-export-port", str(metrics),
            "--disable-usage-stats", "--block"]


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL ``proc`` and every process below it (by id: the processes this test started)."""
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        procs = []
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)
    proc.wait(timeout=10)


class Cluster:
    def __init__(self):
        self.temp = Path(tempfile.mkdtemp(prefix="sc-ray-", dir="/tmp"))  # short: Ray's socket paths have a limit
        port, dashboard = _free_ports(2)
        self.address = f"127.0.0.1:{port}"
        self.head = self.worker = None
        try:
            self.head = subprocess.Popen([RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port",
                                          str(port), "--include-dashboard", "false", "--dashboard-port",
                                          str(dashboard), *_node_args(self.temp)],
                                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True)
            self._wait_nodes(1)
            self.worker = subprocess.Popen([RAY, "start", "--address", self.address, "--node-ip-address",
                                            "127.0.0.1", *_node_args(self.temp)], env=ENV, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, start_new_session=True)
            self._wait_nodes(2)
        except BaseException:
            self.stop()
            raise

    def _wait_nodes(self, n: int, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            res = subprocess.run([RAY, "status", "--address", self.address], env=ENV, capture_output=True,
                                 text=True)
            if res.returncode == 0 and res.stdout.count("node_") >= n:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the Ray cluster did not reach {n} node(s) in {timeout} s")

    def stop(self) -> None:
        for proc in (self.worker, self.head):
            if proc is not None:
                _kill_tree(proc)
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The PNGs of the same spec generated in one process."""
    out = tmp_path_factory.mktemp("cluster-ref")
    run_job(JobSpec(**SPEC), out, measure_speedup=False)
    return _pngs(out)


def _pngs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((folder / "images").glob("*.png"))}


def _ids(folder: Path) -> list:
    return [json.loads(line)["id"] for line in (folder / "manifest.jsonl").read_text().splitlines()]


def _job(cluster, spec_path: Path, out: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stepcache", "generate", str(spec_path), "--out", str(out),
                             "--launcher", "ray", "--ray-address", cluster.address, "--workers", "2"],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _wait_items(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while len(list((out / "images").glob("*.png"))) < n:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.time() < deadline, f"fewer than {n} items in {timeout} s"
        time.sleep(0.05)


def _finished_stable(out: Path) -> set:
    """The finished items, once no straggler adds one for 2 s."""
    last, since = None, time.time()
    while time.time() - since < 2:
        now = Output.finished(out)
        if now != last:
            last, since = now, time.time()
        time.sleep(0.2)
    return last


def test_driver_killed_then_rerun_resumes(cluster, reference, tmp_path):
    spec_path = tmp_path / "job.json"
    spec_path.write_text(json.dumps(SPEC))
    out = tmp_path / "out"
    proc = _job(cluster, spec_path, out)
    _wait_items(out, 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _finished_stable(out)
    assert 3 <= len(before) < N, "the driver must be killed mid-job"
    proc = _job(cluster, spec_path, out)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["items_written"] == N - len(before)  # the finished items are skipped, the rest done
    assert _pngs(out) == reference
    assert _ids(out) == [f"{i:06d}" for i in range(N)]


#: Holds the head node's only CPU (an actor pinned there) until its stdin closes: while it runs, the job's actors
#: can only be placed on the second node.
BLOCKER = """
import sys, ray
ray.init(address=sys.argv[1], log_to_driver=False)

@ray.remote(num_cpus=1, resources={"node:__internal_head__": 0.001})
class Blocker:
    def ready(self):
        return True

b = Blocker.remote()
ray.get(b.ready.remote())
print("holding", flush=True)
sys.stdin.read()
"""


def test_worker_node_killed_mid_job(cluster, reference, tmp_path):
    """The second node is certain to hold work when it is killed: the head's CPU is held by a blocker until then,
    so the job's first actor is placed on the second node (a race on a busy machine otherwise: the head's actor could
    finish every item before the second node's actor had started)."""
    blocker = subprocess.Popen([sys.executable, "-c", BLOCKER, cluster.address], env=ENV, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert blocker.stdout.readline().strip() == "holding", blocker.communicate(timeout=60)[1][-2000:]
        spec_path = tmp_path / "job.json"
        spec_path.write_text(json.dumps(SPEC))
        out = tmp_path / "out"
        proc = _job(cluster, spec_path, out)
        import psutil

        deadline = time.time() + 120
        while True:
            node2 = {p.pid for p in psutil.Process(cluster.worker.pid).children(recursive=True)}
            if any(int(m.stem.rsplit("-", 1)[1]) in node2 and m.read_text() for m in out.glob("manifest.ray-*.jsonl")):
                break
            assert proc.poll() is None, "the job ended while only the second node could run it: " + \
                proc.communicate()[1][-2000:]
            assert time.time() < deadline, "the second node's actor wrote no item in 120 s"
            time.sleep(0.05)
        _kill_tree(cluster.worker)  # the second node: its raylet, its worker processes, all of them
    finally:
        blocker.stdin.close()  # the head's CPU is free: the job goes on there
        blocker.wait(timeout=60)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["workers_lost"] >= 1
    assert len(Output.finished(out)) == N
    ids = _ids(out)
    assert ids == [f"{i:06d}" for i in range(N)]  # every item exactly once
    assert _pngs(out) == reference
