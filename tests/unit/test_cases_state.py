"""Cases C-01…C-08 of shared/cases.md: counts, names and health a console must get right.

Each case is checked on both count paths: with the engine's `ServiceStatus`
and computed from tasks (older engines), which must agree.
"""

from __future__ import annotations

import pytest

from swarmtui.swarm.model import Health, ServiceMode
from swarmtui.ui.rows import task_rows
from tests.conftest import state_from
from tests.unit.builders import cluster, node, service, task

BOTH_PATHS = pytest.mark.parametrize("without_status", [False, True], ids=["status", "tasks"])


def six_nodes():
    managers = [node(f"m{i}", f"manager-{i}", role="manager", leader=i == 1) for i in (1, 2, 3)]
    workers = [node(f"w{i}", f"worker-{i}") for i in (1, 2, 3)]
    return managers + workers


@BOTH_PATHS
def test_c01_global_service_with_constraint_counts_its_tasks_not_the_nodes(without_status):
    svc = service("S", "mon", {"Global": {}}, constraints=["node.role == manager"],
                  status={"RunningTasks": 3, "DesiredTasks": 3, "CompletedTasks": 0})
    tasks = [task(f"T{i}", "S", node_id=f"m{i}") for i in (1, 2, 3)]
    state = state_from(cluster(six_nodes(), [svc], tasks), without_status=without_status)
    mon = state.service_named("mon")
    assert str(mon.counts) == "3/3"
    assert mon.health is Health.OK


@BOTH_PATHS
def test_c02_pending_task_is_not_running_and_its_error_shows(without_status):
    err = "no suitable node (scheduling constraints not satisfied on 3 nodes)"
    svc = service("S", "web", {"Replicated": {"Replicas": 3}},
                  status={"RunningTasks": 2, "DesiredTasks": 3, "CompletedTasks": 0})
    tasks = [
        task("T1", "S", node_id="w1", slot=1),
        task("T2", "S", node_id="w2", slot=2),
        task("T3", "S", slot=3, state="pending", err=err),
    ]
    state = state_from(cluster(six_nodes(), [svc], tasks), without_status=without_status)
    web = state.service_named("web")
    assert str(web.counts) == "2/3"
    assert web.health is Health.PENDING
    assert err in web.health_reason


def test_c03_unschedulable_task_has_a_dash_for_node():
    svc = service("S", "gpu", {"Replicated": {"Replicas": 1}})
    pending = task("T1", "S", slot=1, state="pending",
                   err="no suitable node (scheduling constraints not satisfied on 1 node)")
    pending["NodeID"] = ""  # some engines send an empty string, others omit it
    state = state_from(cluster(six_nodes(), [svc], [pending]))
    only = state.tasks[0]
    assert only.node_id is None
    assert state.node_name(only.node_id) == "—"
    (_, cells), = task_rows(state, state.tasks)
    assert str(cells[1]) == "—"
    gpu = state.service_named("gpu")
    assert gpu.health is Health.PENDING
    assert gpu.health_reason.startswith("pending – no suitable node")


@BOTH_PATHS
def test_c04_task_on_a_down_node_does_not_count_as_running(without_status):
    nodes = [node("m1", "manager-1", role="manager", leader=True),
             node("w1", "worker-1", state="down", availability="active")]
    svc = service("S", "api", {"Replicated": {"Replicas": 1}},
                  status={"RunningTasks": 1, "DesiredTasks": 1, "CompletedTasks": 0})
    state = state_from(cluster(nodes, [svc], [task("T1", "S", node_id="w1", slot=1)]),
                       without_status=without_status)
    api = state.service_named("api")
    assert str(api.counts) == "0/1"
    assert api.health is Health.DEGRADED
    assert "1 task on a down node" in api.health_reason
    worker = state.node_named("worker-1")
    assert (worker.state, worker.availability) == ("down", "active")
    assert state.task_state_label(state.tasks[0]) == "running (node down)"


def test_c05_global_tasks_are_named_by_node_and_replicated_by_slot():
    nodes = [node("N1", "node-a", role="manager", leader=True), node("N2", "node-b")]
    mon = service("G", "mon", {"Global": {}})
    web = service("R", "web", {"Replicated": {"Replicas": 1}})
    tasks = [task("T1", "G", node_id="N1", slot=0), task("T2", "G", node_id="N2", slot=0),
             task("T3", "R", node_id="N2", slot=1)]
    state = state_from(cluster(nodes, [mon, web], tasks))
    names = sorted(state.task_name(t) for t in state.tasks)
    assert names == ["mon.node-a", "mon.node-b", "web.1"]


@BOTH_PATHS
def test_c06_jobs(without_status):
    nodes = [node("N1", "node-a", role="manager", leader=True), node("N2", "node-b")]
    rjob = service("J", "backup", {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 1}},
                   status={"RunningTasks": 0, "DesiredTasks": 1, "CompletedTasks": 1})
    rjob["JobStatus"] = {"JobIteration": {}}
    gjob = service("K", "prune", {"GlobalJob": {}},
                   status={"RunningTasks": 0, "DesiredTasks": 0, "CompletedTasks": 2})
    gjob["JobStatus"] = {"JobIteration": {"Index": 3}}
    odd = service("X", "future", {"SomethingNew": {}})
    tasks = [task("T1", "J", node_id="N1", desired="complete", state="complete")]
    for i, node_id in enumerate(("N1", "N2")):
        done = task(f"G{i}", "K", node_id=node_id, desired="complete", state="complete")
        done["JobIteration"] = {"Index": 3}
        tasks.append(done)
    old = task("G9", "K", node_id="N1", desired="complete", state="complete")
    old["JobIteration"] = {"Index": 2}  # a previous run of the job: not counted
    tasks[0]["JobIteration"] = {}
    state = state_from(cluster(nodes, [rjob, gjob, odd], [*tasks, old]),
                       without_status=without_status)
    backup = state.service_named("backup")
    assert backup.mode_label == "replicated job"
    assert str(backup.counts) == "0/1 (1/1 completed)"
    assert backup.health is Health.COMPLETED
    prune = state.service_named("prune")
    assert prune.mode_label == "global job"
    assert str(prune.counts) == "0/0 (2/2 completed)"
    assert prune.health is Health.COMPLETED
    future = state.service_named("future")
    assert future.mode is ServiceMode.UNKNOWN and future.mode_label == "SomethingNew"
    assert future.health is Health.UNKNOWN  # never "ok" for something we cannot count


def test_c07_missing_or_partial_update_status():
    nodes = [node("N1", "a", role="manager", leader=True)]
    plain = service("A", "plain", {"Replicated": {"Replicas": 1}})
    updating = service("B", "rolling", {"Replicated": {"Replicas": 1}},
                       update={"State": "updating", "StartedAt": "2026-12-03T15:59:00Z"})
    state = state_from(cluster(nodes, [plain, updating],
                               [task("T1", "A", node_id="N1", slot=1)]))
    assert state.service_named("plain").update_status is None
    rolling = state.service_named("rolling")
    assert rolling.update_status.completed_at is None
    assert rolling.health is Health.UPDATING
    assert rolling.health_reason == "updating since 15:59:00"


@pytest.mark.parametrize(
    ("update_state", "health", "label"),
    [
        ("paused", Health.UPDATE_PAUSED, "update paused"),
        ("rollback_started", Health.ROLLBACK, "rolling back"),
        ("rollback_paused", Health.ROLLBACK, "rollback paused"),
        ("rollback_completed", Health.ROLLBACK, "rolled back"),
        ("completed", Health.DEGRADED, "updated"),
        ("some_new_state", Health.DEGRADED, "some_new_state"),
    ],
)
def test_c08_update_states(update_state, health, label):
    message = "update paused due to failure or early termination of task T9"
    svc = service("S", "api", {"Replicated": {"Replicas": 1}},
                  update={"State": update_state, "Message": message})
    state = state_from(cluster([node("N1", "a", role="manager", leader=True)], [svc], []))
    api = state.service_named("api")
    assert api.update_status.label == label
    assert api.health is health  # completed at 0/1 is still broken
    if health is Health.UPDATE_PAUSED:
        assert "T9" in api.health_reason


def test_nodes_without_hostnames_are_named_by_short_id():
    state = state_from(cluster([node("abcdefghijklmnopqrstu")], [], []))
    assert state.nodes[0].name == "abcdefghijkl"


def test_missing_everything_does_not_raise():
    state = state_from(cluster([{}], [{}], [{}]))
    assert len(state.nodes) == 1 and len(state.services) == 1 and len(state.tasks) == 1
    assert state.services[0].mode is ServiceMode.UNKNOWN
