"""`swarmtui lab`: the lab's own behaviour (CLI contract, cleanup, faults, ssh).

The cheap tests need neither root nor a lab. The `lab`-marked ones use the
session `lab` fixture (tests/conftest.py); two of them bring the lab up again
(over a simulated crash, and after `down`), each leaving a lab of the same shape.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import docker
import pytest

from swarmtui import lab as swarm_lab
from swarmtui.cli import main
from swarmtui.lab import cluster, demo, host, image, layout, lifecycle, network, state, teardown
from swarmtui.lab.state import LabInfo, NodeInfo

FIXTURE = Path(__file__).parents[1] / "fixtures" / "cluster-incident.json"
REFUSAL = "swarmtui lab needs root on Linux (network namespaces, dockerd)"


@pytest.fixture
def no_lab(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Root/Linux assumed, and the state file pointed at an empty temp dir."""
    monkeypatch.setattr(host, "unsupported_reason", lambda: None)
    state_file = tmp_path / "lab.json"
    monkeypatch.setattr(state, "STATE_FILE", state_file)
    return state_file


# --- cheap: no root, no lab --------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["up"], ["down"], ["status"], ["env"], ["fault", "node-down", "worker-1"]],
)
def test_every_lab_command_refuses_without_root_on_linux(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(host, "unsupported_reason", lambda: REFUSAL)
    assert main(["lab", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == REFUSAL + "\n"


def test_python_api_refuses_without_root_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host, "unsupported_reason", lambda: REFUSAL)
    with pytest.raises(swarm_lab.LabError, match="needs root on Linux"):
        swarm_lab.up()
    with pytest.raises(swarm_lab.LabError, match="needs root on Linux"):
        swarm_lab.down()


def test_status_exits_1_when_no_lab_is_up(
    no_lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "status"]) == 1
    assert capsys.readouterr().out == "lab: not up\n"
    assert swarm_lab.status() is None


def test_env_without_a_lab_fails_with_one_line(
    no_lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "env"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "swarmtui lab: no lab is up (run `swarmtui lab up`)\n"


def test_env_prints_an_export_line_for_the_first_managers_socket(
    no_lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state.save(_recorded_lab(), no_lab)
    assert main(["lab", "env"]) == 0
    assert capsys.readouterr().out == (
        "export DOCKER_HOST=unix:///run/swarmtui-lab/pop-os/docker.sock\n"
    )
    assert swarm_lab.docker_host() == "unix:///run/swarmtui-lab/pop-os/docker.sock"
    assert swarm_lab.node_socket("worker-1") == "/run/swarmtui-lab/worker-1/docker.sock"
    with pytest.raises(swarm_lab.LabError, match="no lab node named 'worker-9'"):
        swarm_lab.node_socket("worker-9")


def test_recorded_lab_round_trips_through_the_state_file(no_lab: Path) -> None:
    recorded = _recorded_lab()
    state.save(recorded, no_lab)
    assert swarm_lab.status() == recorded
    assert json.loads(no_lab.read_text())["nodes"][0]["name"] == "pop-os"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nodes", "0"], "--nodes must be between 1 and 20, not 0"),
        (["--nodes", "2", "--managers", "3"], "--managers must be between 1 and --nodes (2)"),
    ],
)
def test_up_rejects_impossible_node_counts_before_touching_the_host(
    argv: list[str], message: str, no_lab: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(host, "ensure_packages", _must_not_run)
    monkeypatch.setattr(lifecycle, "teardown", _must_not_run)
    assert main(["lab", "up", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"swarmtui lab: {message}")
    assert err.count("\n") == 1


def test_unexpected_failures_print_one_line_not_a_traceback(
    no_lab: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_up(**_kwargs: object) -> LabInfo:
        raise docker.errors.DockerException("socket vanished\nsecond line")

    monkeypatch.setattr(lifecycle, "up", broken_up)
    assert main(["lab", "up"]) == 1
    err = capsys.readouterr().err
    assert err == "swarmtui lab: DockerException: socket vanished\n"


class FakeApt:
    """Stands in for dpkg-query/apt-get: `installable` packages appear once installed."""

    def __init__(self, missing: set[str], installable: set[str]) -> None:
        self.missing, self.installable = set(missing), installable
        self.commands: list[list[str]] = []

    def present(self, package: str, _path: str) -> bool:
        return package not in self.missing

    def run(self, args: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        self.commands.append(list(args))
        if args[:2] == ["apt-get", "install"]:
            wanted = set(args[2:]) - {"-y", "--no-install-recommends"}
            if not wanted <= self.installable:
                return subprocess.CompletedProcess(args, 100)
            self.missing -= wanted
        return subprocess.CompletedProcess(args, 0)


def test_missing_debian_packages_are_installed_after_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apt = FakeApt(missing={"busybox-static", "openssh-server"},
                  installable={"busybox-static", "openssh-server"})
    monkeypatch.setattr(host, "_package_present", apt.present)
    monkeypatch.setattr(subprocess, "run", apt.run)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    said: list[str] = []
    host.ensure_packages(said.append)
    assert said == ["installing Debian packages: busybox-static openssh-server"]
    assert apt.commands == [
        ["apt-get", "install", "-y", "--no-install-recommends", "busybox-static", "openssh-server"]
    ]


def test_a_failed_package_install_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    apt = FakeApt(missing={"docker.io"}, installable=set())
    monkeypatch.setattr(host, "_package_present", apt.present)
    monkeypatch.setattr(subprocess, "run", apt.run)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(swarm_lab.LabError) as failure:
        host.ensure_packages(lambda _line: None)
    assert str(failure.value) == "could not install docker.io (apt-get exited 100)"
    # One retry after refreshing the package lists.
    assert [c[:2] for c in apt.commands] == [["apt-get", "install"], ["apt-get", "update"],
                                             ["apt-get", "install"]]


def test_nodes_are_named_managers_first_then_workers() -> None:
    plans = layout.plan_nodes(nodes=6, managers=3)
    assert [(p.name, p.role, p.address) for p in plans] == [
        ("pop-os", "manager", "10.77.0.11"),
        ("manager-2", "manager", "10.77.0.12"),
        ("manager-3", "manager", "10.77.0.13"),
        ("worker-1", "worker", "10.77.0.14"),
        ("worker-2", "worker", "10.77.0.15"),
        ("worker-3", "worker", "10.77.0.16"),
    ]
    assert [p.name for p in layout.plan_nodes(4, 1)] == ["pop-os", "worker-1", "worker-2",
                                                          "worker-3"]


def test_demo_stack_reproduces_the_recorded_fixture() -> None:
    recorded = json.loads(FIXTURE.read_text())
    stack = demo.load_stack()
    names = {n["Id"]: n["Name"] for n in recorded["networks"]}

    def by_name(spec: dict[str, Any]) -> dict[str, Any]:
        spec = copy.deepcopy(spec)
        for attachment in spec["TaskTemplate"].get("Networks", []):
            attachment["Target"] = names[attachment["Target"]]
        return spec

    services = sorted(recorded["services"], key=lambda s: s["CreatedAt"])
    assert stack["services"] == [by_name(s.get("PreviousSpec") or s["Spec"]) for s in services]
    assert stack["updates"] == [
        {"service": s["Spec"]["Name"], "spec": by_name(s["Spec"])}
        for s in services if "PreviousSpec" in s
    ]
    overlays = [n for n in recorded["networks"] if not n["Ingress"]]
    assert sorted((n["Name"], n["Labels"], n["IPAM"]["Config"]) for n in stack["networks"]) == \
        sorted((n["Name"], n["Labels"], n["IPAM"]["Config"]) for n in overlays)
    nodes = recorded["nodes"]
    assert stack["node_labels"] == {
        n["Description"]["Hostname"]: n["Spec"]["Labels"] for n in nodes if n["Spec"]["Labels"]
    }
    assert stack["paused_nodes"] == [
        n["Description"]["Hostname"] for n in nodes if n["Spec"]["Availability"] == "pause"
    ]
    service_names = {s["ID"]: s["Spec"]["Name"] for s in services}
    tasks = recorded["tasks"]
    assert set(stack["crash_looping"]) == {
        service_names[t["ServiceID"]] for t in tasks
        if t["Status"].get("Err") == "task: non-zero exit (1)"
    }
    assert set(stack["unschedulable"]) == {
        service_names[t["ServiceID"]] for t in tasks
        if "no suitable node" in t["Status"].get("Err", "")
    }


def test_busybox_image_is_a_docker_save_tarball_with_both_tags(tmp_path: Path) -> None:
    tar_path = image.write_image_tar(tmp_path / "busybox.tar")
    with tarfile.open(tar_path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        [entry] = manifest
        assert entry["RepoTags"] == ["lab/busybox:1.35", "lab/busybox:1.36"]
        config = json.load(tar.extractfile(entry["Config"]))  # type: ignore[arg-type]
        layer = tar.extractfile(entry["Layers"][0]).read()  # type: ignore[union-attr]
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(layer).hexdigest()]
    with tarfile.open(fileobj=io.BytesIO(layer)) as rootfs:
        members = {m.name: m for m in rootfs.getmembers()}
    assert members["bin/busybox"].isfile()
    for applet in ("bin/sh", "bin/date", "bin/sleep", "bin/echo"):
        assert members[applet].issym() and members[applet].linkname == "/bin/busybox"
    # Same busybox, same bytes: the image id is stable across runs.
    assert image.write_image_tar(tmp_path / "again.tar").read_bytes() == tar_path.read_bytes()


# --- on the real lab (the session `lab` fixture from tests/conftest.py) --------------
#
# Read-only checks first; then a crash + `up` over the debris, and a `down` + `up`:
# both end with a fresh lab of the same shape at the same paths, so the fixture's
# LabInfo (sockets, addresses, key files) stays valid for the tests that follow.

@pytest.mark.lab
def test_status_and_env_describe_the_running_lab(
    lab: LabInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lab: up")
    for node in lab.nodes:
        assert f"{node.name}  " in out and node.address in out and node.socket in out
    assert "DOWN" not in out
    assert main(["lab", "env"]) == 0
    assert capsys.readouterr().out == f"export DOCKER_HOST=unix://{lab.nodes[0].socket}\n"
    assert swarm_lab.docker_host() == lab.docker_host == f"unix://{lab.nodes[0].socket}"


@pytest.mark.lab
def test_ssh_lands_on_the_node_with_its_hostname_and_engine(lab: LabInfo) -> None:
    worker = lab.node("worker-1")
    result = subprocess.run(
        ["ssh", "-F", "/dev/null", "-i", lab.ssh_key, "-p", str(worker.sshd_port),
         "-o", f"UserKnownHostsFile={lab.known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
         "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
         f"root@{worker.address}", "hostname; echo $DOCKER_HOST"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["worker-1", f"unix://{worker.socket}"]


@pytest.mark.lab
def test_service_faults_pause_an_update_and_crash_loop(lab: LabInfo) -> None:
    client = docker.APIClient(base_url=lab.docker_host)
    # Exits promptly on SIGTERM, so the broken update does not wait out a 10 s stop.
    forever = "trap 'exit 0' TERM; while true; do sleep 1; done"
    names = ("lab-test-probe", "lab-test-crasher")
    try:
        for name in names:
            cluster.create_service(client, {
                "Name": name,
                "Mode": {"Replicated": {"Replicas": 1}},
                "TaskTemplate": {"ContainerSpec": {"Image": "lab/busybox:1.35",
                                                   "Args": ["sh", "-c", forever]},
                                 "Placement": {"Constraints": ["node.role == worker"]}},
            })
        _wait_for(lambda: all(_running(client, n) for n in names), timeout=60,
                  what="probe and crasher running")

        swarm_lab.fault("break-update", "lab-test-probe")
        swarm_lab.fault("crash", "lab-test-crasher")

        _wait_for(lambda: _update_state(client, "lab-test-probe") == "paused", timeout=60,
                  what="probe update paused")
        spec = client.inspect_service("lab-test-probe")["Spec"]
        assert spec["TaskTemplate"]["ContainerSpec"]["Image"] == "lab/busybox:0.0-missing"
        _wait_for(
            lambda: any(t["Status"].get("Err") == "task: non-zero exit (1)"
                        for t in client.tasks(filters={"service": "lab-test-crasher"})),
            timeout=60, what="crasher task failing",
        )
        logs = client.service_logs("lab-test-crasher", stdout=True, stderr=True)
        assert b"panic: " in b"".join(logs)
    finally:
        for name in names:
            with contextlib.suppress(docker.errors.NotFound):
                client.remove_service(name)


@pytest.mark.lab
def test_up_over_a_crashed_lab_cleans_it_up_and_starts_fresh(lab: LabInfo) -> None:
    before = teardown.lab_processes()
    for pid in before:  # a crash: every daemon, shim and container, kill -9
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not swarm_lab.is_up(swarm_lab.status())

    messages: list[str] = []
    info = swarm_lab.up(**_shape(lab), progress=messages.append)

    assert "cleaning up a previous lab" in messages
    assert swarm_lab.is_up(swarm_lab.status())
    assert [n.name for n in info.nodes] == [n.name for n in lab.nodes]
    assert [n.socket for n in info.nodes] == [n.socket for n in lab.nodes]
    assert teardown.lab_processes().isdisjoint(before)
    client = docker.APIClient(base_url=info.docker_host)
    assert all(n["Status"]["State"] == "ready" for n in client.nodes())
    assert len(client.nodes()) == len(lab.nodes)
    if info.stack == "demo":
        assert len(client.services()) == 15


@pytest.mark.lab
def test_down_leaves_nothing_behind_and_up_brings_the_lab_back(
    lab: LabInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    swarm_lab.down()
    assert network.lab_netns_names() == []
    assert not Path(f"/sys/class/net/{layout.BRIDGE}").exists()
    assert teardown.lab_processes() == set()
    assert str(layout.STATE_DIR) not in Path("/proc/self/mountinfo").read_text()
    assert not layout.STATE_DIR.exists()
    rules = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True,
                           check=False).stdout
    assert layout.IPTABLES_COMMENT not in rules
    swarm_lab.down()  # safe when nothing is up
    assert swarm_lab.status() is None
    assert main(["lab", "status"]) == 1
    capsys.readouterr()

    info = swarm_lab.up(**_shape(lab))  # leave the session's lab as it was
    assert info.docker_host == lab.docker_host
    assert swarm_lab.is_up(swarm_lab.status())


# --- helpers ---------------------------------------------------------------------


def _recorded_lab() -> LabInfo:
    nodes = tuple(
        NodeInfo(name=name, role=role, address=f"10.77.0.{11 + i}",
                 socket=f"/run/swarmtui-lab/{name}/docker.sock", netns=f"stl-{name}",
                 dockerd_pid=0, sshd_pid=0, sshd_port=22)
        for i, (name, role) in enumerate([("pop-os", "manager"), ("worker-1", "worker")])
    )
    info = LabInfo(state_dir="/run/swarmtui-lab", bridge="stl-br0", host_address="10.77.0.1",
                   stack=None, nodes=nodes, ssh_key="/run/swarmtui-lab/ssh/id_ed25519",
                   known_hosts="/run/swarmtui-lab/ssh/known_hosts", started_at=0.0)
    assert asdict(info)["nodes"][1]["name"] == "worker-1"
    return info


def _shape(info: LabInfo) -> dict[str, Any]:
    managers = sum(1 for n in info.nodes if n.role == "manager")
    return {"nodes": len(info.nodes), "managers": managers, "stack": info.stack}


def _update_state(client: docker.APIClient, service: str) -> str:
    return str((client.inspect_service(service).get("UpdateStatus") or {}).get("State", ""))


def _running(client: docker.APIClient, service: str) -> bool:
    tasks = client.tasks(filters={"service": service, "desired-state": "running"})
    return any(t["Status"]["State"] == "running" for t in tasks)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _must_not_run(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("must not run")
