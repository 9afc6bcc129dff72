"""Bringing the lab up and down, and reading what is up."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from swarmtui.lab import cluster, engine, host, image, network, sshd
from swarmtui.lab.demo import deploy_demo
from swarmtui.lab.host import LabError, Progress
from swarmtui.lab.layout import (
    BRIDGE,
    HOST_ADDRESS,
    IMAGE_TAR,
    SSH_PORT,
    STACKS,
    STATE_DIR,
    NodePlan,
    plan_nodes,
)
from swarmtui.lab.state import LabInfo, NodeInfo, load, save
from swarmtui.lab.teardown import lab_processes, teardown

log = logging.getLogger("swarmtui.lab")


def log_progress(line: str) -> None:
    """The default progress callback: INFO on the `swarmtui.lab` logger."""
    log.info("%s", line)


LOCK_FILE = Path("/run/swarmtui-lab.lock")  # beside the state dir, which teardown removes


@contextlib.contextmanager
def exclusive(lock_file: Path = LOCK_FILE) -> Iterator[None]:
    """One `lab up` or `lab down` at a time on a machine: a second one, say from
    another terminal or test run, is refused at once instead of tearing down the
    lab the first is building or using."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise LabError(f"another `swarmtui lab up/down` is running (pid {holder}); "
                           "wait for it to finish") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def up(nodes: int = 4, managers: int = 1, stack: str | None = "demo",
       progress: Progress = log_progress) -> LabInfo:
    """Start a fresh lab (cleaning up any previous one) and return what runs.

    On failure everything started so far is removed again and LabError says why.
    """
    host.require_supported()
    with exclusive():
        return _up(nodes, managers, stack, progress)


def _up(nodes: int, managers: int, stack: str | None, progress: Progress) -> LabInfo:
    if stack not in (*STACKS, None):
        raise LabError(f"unknown stack {stack!r} (known: {', '.join(STACKS)})")
    try:
        plans = plan_nodes(nodes, managers)
    except ValueError as exc:
        raise LabError(str(exc)) from exc
    host.ensure_packages(progress)
    started = time.monotonic()
    if _leftovers():
        progress("cleaning up a previous lab")
        teardown(progress)
    try:
        info = _bring_up(plans, managers, stack, progress)
    except BaseException:
        progress("start failed; removing what was started")
        teardown(log_progress)
        raise
    progress(f"lab up: {len(plans)} nodes in {time.monotonic() - started:.1f}s")
    return info


def _bring_up(plans: list[NodePlan], managers: int, stack: str | None,
              progress: Progress) -> LabInfo:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    host.record_missing_host_dirs()
    network.create_bridge()
    network.allow_bridge_forwarding()
    progress(f"bridge {BRIDGE} {HOST_ADDRESS}/24")
    for plan in plans:
        network.create_node_netns(plan)
    image_tar = image.write_image_tar(IMAGE_TAR)
    sshd.make_client_key()
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        nodes_up = list(pool.map(lambda p: _start_node(p, image_tar, progress), plans))

    first = plans[0]
    tokens = cluster.init_swarm(first)
    progress(f"swarm initialised on {first.name} ({first.address})")
    for plan in plans[1:managers]:  # one raft member at a time
        cluster.join_swarm(plan, first, tokens)
        progress(f"{plan.name} joined as manager")
    with ThreadPoolExecutor(max_workers=max(1, len(plans) - managers)) as pool:
        list(pool.map(lambda p: cluster.join_swarm(p, first, tokens), plans[managers:]))
    cluster.wait_all_ready(first, len(plans))
    workers = len(plans) - managers
    if workers:
        progress(f"{workers} worker{'s' if workers > 1 else ''} joined")

    info = LabInfo(
        state_dir=str(STATE_DIR),
        bridge=BRIDGE,
        host_address=HOST_ADDRESS,
        stack=None if stack in (None, "none") else stack,
        nodes=tuple(nodes_up),
        ssh_key=str(sshd.CLIENT_KEY),
        known_hosts=str(sshd.write_known_hosts([(p.name, p.address) for p in plans])),
        started_at=time.time(),
    )
    save(info)
    if info.stack == "demo":
        deploy_demo(first.name, progress)
    return info


def down(progress: Progress = log_progress) -> None:
    """Remove everything the lab made; safe when nothing is up."""
    host.require_supported()
    with exclusive():
        teardown(progress)


def status() -> LabInfo | None:
    """The recorded lab, or None when no lab was brought up."""
    return load()


def is_up(info: LabInfo | None) -> bool:
    """Whether the lab's first manager engine is running and answering."""
    if info is None:
        return False
    first = info.first_manager
    return bool(engine.dockerd_pid(first.name)) and engine.ping(Path(first.socket))


def current() -> LabInfo:
    """The recorded lab; LabError when none is up."""
    info = load()
    if info is None:
        raise LabError("no lab is up (run `swarmtui lab up`)")
    return info


def docker_host() -> str:
    """DOCKER_HOST for the first manager's engine."""
    return current().docker_host


def node_socket(name: str) -> str:
    """Path of one node's Docker socket."""
    try:
        return current().node(name).socket
    except KeyError as exc:
        raise LabError(exc.args[0]) from exc


def _start_node(plan: NodePlan, image_tar: Path, progress: Progress) -> NodeInfo:
    engine.start_dockerd(plan.name, plan.netns)
    dockerd_pid = engine.wait_until_ready(plan.name)
    image.load_image(engine.api(plan.name), image_tar)
    sshd.write_config(plan.name, plan.address)
    sshd_pid = sshd.start_sshd(plan.name, plan.address, dockerd_pid)
    progress(f"{plan.name}: {plan.role} {plan.address}, dockerd pid {dockerd_pid}, "
             f"sshd pid {sshd_pid}")
    return NodeInfo(
        name=plan.name,
        role=plan.role,
        address=plan.address,
        socket=str(plan.socket),
        netns=plan.netns,
        dockerd_pid=dockerd_pid,
        sshd_pid=sshd_pid,
        sshd_port=SSH_PORT,
    )


def _leftovers() -> bool:
    return (
        STATE_DIR.exists()
        or bool(network.lab_netns_names())
        or Path(f"/sys/class/net/{BRIDGE}").exists()
        or bool(lab_processes())
    )
