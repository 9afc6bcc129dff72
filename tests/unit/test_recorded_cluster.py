"""The recorded incident cluster reads exactly as `docker service ls` showed it."""

from __future__ import annotations

import pytest

from swarmtui.swarm.model import Health, ServiceMode
from tests.conftest import state_from

# `docker service ls` on the recorded cluster, at capture time.
SERVICE_LS = {
    "backup": "0/1 (1/1 completed)",
    "edge_traefik": "1/1",
    "monitoring_alertmanager": "1/1",
    "monitoring_cadvisor": "4/4",
    "monitoring_grafana": "1/1",
    "monitoring_node-exporter": "4/4",
    "monitoring_prometheus": "1/1",
    "shop_analytics": "0/1",
    "shop_api": "1/2",
    "shop_postgres": "1/1",
    "shop_web": "3/3",
    "shop_worker": "0/2",
    "swarmpit_agent": "4/4",
    "swarmpit_app": "1/1",
    "swarmpit_db": "1/1",
}


def test_replicas_match_docker_service_ls(incident):
    state = state_from(incident)
    assert {s.name: str(s.counts) for s in state.services} == SERVICE_LS


def test_counts_from_tasks_agree_with_service_status(incident):
    with_status = state_from(incident)
    from_tasks = state_from(incident, without_status=True)
    assert [(s.name, s.counts) for s in from_tasks.services] == [
        (s.name, s.counts) for s in with_status.services
    ]


@pytest.mark.parametrize(
    ("name", "health", "reason_part"),
    [
        ("shop_worker", Health.FAILING, "exit 1"),
        ("shop_analytics", Health.PENDING, "no suitable node"),
        ("shop_api", Health.UPDATE_PAUSED, "update paused due to failure"),
        ("backup", Health.COMPLETED, "1/1 completed"),
        ("shop_web", Health.OK, ""),
        ("monitoring_cadvisor", Health.OK, ""),
    ],
)
def test_health_classes_of_the_incident(incident, name, health, reason_part):
    service = state_from(incident).service_named(name)
    assert service is not None
    assert service.health is health
    assert reason_part in service.health_reason


def test_modes_stacks_and_images(incident):
    state = state_from(incident)
    web = state.service_named("shop_web")
    assert web is not None and web.mode is ServiceMode.REPLICATED and web.stack == "shop"
    assert state.service_named("swarmpit_agent").mode is ServiceMode.GLOBAL
    assert state.service_named("backup").mode_label == "replicated job"
    assert state.service_named("shop_api").image == "lab/busybox:9.9"
    assert state.service_named("shop_analytics").constraints == ("node.labels.gpu == true",)


def test_nodes(incident):
    state = state_from(incident)
    assert [n.name for n in state.nodes] == ["pop-os", "worker-1", "worker-2", "worker-3"]
    leader = state.node_named("pop-os")
    assert leader.leader and leader.is_manager and leader.reachability == "reachable"
    assert leader.address == "10.77.0.11"
    assert state.node_named("worker-1").labels == {"db": "true"}
    assert state.node_named("worker-3").availability == "pause"
    assert leader.cpus == 2 and leader.memory_bytes == 25276071936
    assert leader.engine_version == "20.10.24+dfsg1"
    assert sum(state.running_tasks_on(n.id) for n in state.nodes) == sum(
        1 for t in state.tasks if t.state == "running"
    )


def test_engine_facts(incident):
    engine = state_from(incident).engine
    assert (engine.name, engine.api_version, engine.engine_version) == (
        "pop-os", "1.41", "20.10.24+dfsg1"
    )
    assert engine.control_available and engine.local_node_state == "active"


def test_unknown_fields_are_ignored(incident):
    for collection in ("nodes", "services", "tasks"):
        for item in incident[collection]:
            item["SomethingFromTheFuture"] = {"x": [1, 2]}
    assert {s.name: str(s.counts) for s in state_from(incident).services} == SERVICE_LS


def test_status_shows_no_column_of_blanks_and_no_empty_api_version(tmp_path):
    import json

    from tests.conftest import INCIDENT, swarmtui

    plain = swarmtui("status", "--snapshot", str(INCIDENT))
    assert plain.returncode == 0, plain.stderr
    services = plain.stdout.split("Services", 1)[1]
    assert "…" not in services.splitlines()[2] and "PORTS" not in services  # none publish
    data = json.loads(INCIDENT.read_text())
    data["services"][1]["Endpoint"] = {"Ports": [{"PublishedPort": 8080, "TargetPort": 80,
                                                   "Protocol": "tcp", "PublishMode": "ingress"}]}
    data.pop("version", None)
    path = tmp_path / "ports.json"
    path.write_text(json.dumps(data))
    published = swarmtui("status", "--snapshot", str(path))
    assert published.returncode == 0, published.stderr
    assert "PORTS" in published.stdout and "8080->80/tcp" in published.stdout
    assert "(API )" not in published.stdout
