"""The state layer against the real lab swarm."""

from __future__ import annotations

import json

import docker as docker_sdk
import pytest

from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.recorded import RecordedSource
from tests.conftest import docker, eventually, state_from, swarmtui

pytestmark = pytest.mark.lab


def service_ls(lab) -> dict[str, str]:
    out = docker(lab, "service", "ls", "--format", "{{.Name}}\t{{.Replicas}}")
    return dict(line.split("\t") for line in out.splitlines() if line)


def status_replicas(lab, env: dict[str, str] | None = None) -> dict[str, str]:
    result = swarmtui("status", "--json", "--host", lab.docker_host, env=env)
    assert result.returncode == 0, result.stderr
    return {s["name"]: s["replicas"] for s in json.loads(result.stdout)["services"]}


@pytest.mark.parametrize("api", [None, "1.40"], ids=["service-status", "from-tasks"])
def test_status_json_replicas_equal_docker_service_ls(lab, api):
    """Every service, both count paths (1.40 has no ServiceStatus: counts come from tasks).

    The crash-looping worker's count moves every few seconds, so the check
    retries until one reading of swarmtui sits between two equal readings of
    the docker CLI.
    """
    env = {"DOCKER_API_VERSION": api} if api else None

    def agree():
        before = service_ls(lab)
        ours = status_replicas(lab, env)
        after = service_ls(lab)
        assert before == after, "cluster moved during the reading"
        assert ours == before
        return True

    eventually(agree, timeout=60, interval=0.2)
    assert len(service_ls(lab)) == 15


def test_the_demo_stack_reads_like_the_recorded_incident(lab):
    result = swarmtui("status", "--json", "--host", lab.docker_host)
    services = {s["name"]: s for s in json.loads(result.stdout)["services"]}
    assert services["shop_analytics"]["health"] == "pending"
    assert "no suitable node" in services["shop_analytics"]["reason"]
    assert services["backup"]["replicas"] == "0/1 (1/1 completed)"

    def paused_and_failing():
        services = {s["name"]: s for s in json.loads(
            swarmtui("status", "--json", "--host", lab.docker_host).stdout)["services"]}
        assert services["shop_api"]["health"] == "update-paused"
        assert services["shop_worker"]["health"] == "failing"
        return True

    eventually(paused_and_failing, timeout=60)
    nodes = {n["hostname"]: n for n in json.loads(result.stdout)["nodes"]}
    assert set(nodes) == {"pop-os", "worker-1", "worker-2", "worker-3"}
    assert nodes["pop-os"]["leader"] and nodes["worker-3"]["availability"] == "pause"
    assert nodes["worker-1"]["labels"] == {"db": "true"}


def test_a_refresh_costs_the_same_number_of_calls_at_15_and_300_services(lab):
    source = EngineSource(lab.docker_host)
    source.connect()
    client = docker_sdk.APIClient(base_url=lab.docker_host, version="auto")
    created = []
    try:
        def calls_per_refresh() -> int:
            before = source.client.total_requests
            raw = source.fetch()
            return source.client.total_requests - before, len(raw.services)

        small, count = calls_per_refresh()
        assert count == 15
        spec = docker_sdk.types.TaskTemplate(
            container_spec=docker_sdk.types.ContainerSpec("lab/busybox:1.35", ["sleep", "1"])
        )
        for index in range(285):
            created.append(client.create_service(
                spec, name=f"scale-{index:03d}", mode=docker_sdk.types.ServiceMode("replicated", 0)
            )["ID"])
        large, count = calls_per_refresh()
        assert count == 300
        assert small == large == 4  # info, nodes, services?status=true, tasks
    finally:
        for service_id in created:
            client.remove_service(service_id)
        source.close()
        client.close()


def test_snapshot_records_a_replayable_cluster_with_secrets_masked(lab, tmp_path):
    out = tmp_path / "cluster.json"
    result = swarmtui("snapshot", str(out), "--host", lab.docker_host)
    assert result.returncode == 0, result.stderr
    assert (out.stat().st_mode & 0o777) == 0o600
    data = json.loads(out.read_text())
    text = out.read_text()
    assert "placeholder" not in text  # shop_api's DATABASE_URL password
    api = next(s for s in data["services"] if s["Spec"]["Name"] == "shop_api")
    env = api["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"]
    assert env == ["DATABASE_URL=postgres://shop:••••••@postgres:5432/shop"]
    web_logs = data["logs"]["shop_web"]
    assert web_logs and all(line["stream"] == "stdout" for line in web_logs)
    assert any(line["stream"] == "stderr" for line in data["logs"]["shop_worker"])
    recorded = state_from(data)
    assert len(recorded.services) == 15 and len(recorded.nodes) == 4
    replay = swarmtui("status", "--json", "--snapshot", str(out))
    assert replay.returncode == 0, replay.stderr
    RecordedSource(out).connect()


def test_a_tty_service_logs_raw_output_cleaned(lab):
    """C-10 on a real engine: --tty services send unframed bytes; lines come out clean."""
    from swarmtui.swarm.logstream import LogFollower, LogRequest

    docker(lab, "service", "create", "--detach", "--tty", "--name", "ttyprobe",
           "--constraint", "node.role==manager", "lab/busybox:1.35", "sh", "-c",
           r"while true; do printf '\033[32mready\033[0m %s\r\n' $RANDOM; sleep 0.5; done")
    source = EngineSource(lab.docker_host)
    try:
        source.connect()
        service_id = docker(lab, "service", "inspect", "--format", "{{.ID}}", "ttyprobe").strip()
        lines = []

        def clean_lines_arrive():
            follower = LogFollower(source, LogRequest(service_id, tail=20, follow=False,
                                                      tty=True)).start()
            follower._thread.join(20)
            lines[:] = follower.drain()
            assert len(lines) >= 2
            return True

        eventually(clean_lines_arrive, timeout=60, interval=1)
        for line in lines:
            assert line.text.startswith("ready ") and "\x1b" not in line.text
            assert "\r" not in line.text and line.task_id  # details still parsed
    finally:
        source.close()
        docker(lab, "service", "rm", "ttyprobe", check=False)
