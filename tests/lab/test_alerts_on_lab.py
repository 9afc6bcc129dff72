"""Alerts on the lab's demo stack: the rules fire on real failures, `check` exits by them."""

from __future__ import annotations

import json
import time

import pytest

from swarmtui.config import Settings
from swarmtui.swarm.engine import EngineSource
from swarmtui.ui.app import SwarmApp
from tests.conftest import swarmtui, until

pytestmark = pytest.mark.lab


def test_check_exits_critical_with_one_line_per_alert_of_the_demo_stack(lab):
    started = time.monotonic()
    result = swarmtui("check", "--host", lab.docker_host)
    print(f"swarmtui check took {time.monotonic() - started:.2f}s")  # figure for the notes
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CRITICAL - ")
    assert any(line.startswith("CRITICAL crash-loop: shop_worker:") and "exit codes 1" in line
               for line in lines)
    assert any(line.startswith("CRITICAL update-paused: shop_api: update paused") and
               "update paused due to failure" in line for line in lines)
    # the scheduler's message, verbatim
    assert any(line.startswith("WARNING tasks-pending: shop_analytics: 1 task pending — "
                               "no suitable node (scheduling constraints not satisfied")
               for line in lines)
    as_json = json.loads(swarmtui("check", "--json", "--host", lab.docker_host).stdout)
    assert as_json["code"] == 2 and as_json["status"] == "CRITICAL"
    assert {("crash-loop", "shop_worker"), ("update-paused", "shop_api"),
            ("tasks-pending", "shop_analytics")} <= {(a["rule"], a["subject"])
                                                     for a in as_json["alerts"]}


def test_check_is_unknown_when_the_cluster_cannot_be_read_and_names_a_bad_rules_file(
        lab, tmp_path):
    gone = swarmtui("check", "--host", "unix:///nonexistent/docker.sock")
    assert gone.returncode == 3 and gone.stdout.startswith("UNKNOWN - cannot read the cluster")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  crash-loop: {failures: many}\n")
    bad = swarmtui("check", "--rules", str(rules), "--host", lab.docker_host)
    assert bad.returncode == 3
    assert f"{rules}: field 'rules.crash-loop.failures' must be a positive number" in bad.stdout
    rules.write_text("rules:\n  crash-loop: {enabled: false}\n  update-paused: {enabled: false}\n"
                     "  tasks-pending: {severity: info}\n  single-manager: {enabled: false}\n")
    quieter = swarmtui("check", "--rules", str(rules), "--host", lab.docker_host)
    assert "crash-loop" not in quieter.stdout and "INFO tasks-pending" in quieter.stdout
    assert quieter.returncode in (0, 1, 2)  # the rest of the stack decides; shown below
    assert quieter.stdout.splitlines()[0].split(" - ")[0] == \
        {0: "OK", 1: "WARNING", 2: "CRITICAL"}[quieter.returncode]


async def test_the_console_raises_the_demo_stacks_alerts_sorted_by_severity(lab):
    app = SwarmApp(EngineSource(lab.docker_host), settings=Settings(poll_interval=2.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None, 30, "first state")
        wanted = {("crash-loop", "shop_worker"), ("update-paused", "shop_api"),
                  ("tasks-pending", "shop_analytics")}
        await until(pilot, lambda: wanted <= {(a.rule, a.subject) for a in app.alerts}, 30,
                    "the demo stack's alerts")
        severities = [a.severity for a in app.alerts]
        assert severities == sorted(severities, reverse=True)
        status = app.screen.query_one("#status")  # drawn on the next screen update
        await until(pilot, lambda: "critical" in str(status.render()), 5, "the status bar")


def test_check_probes_disk_and_memory_over_ssh_against_the_thresholds(lab, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  disk-full: {percent: 1}\n  memory-high: {percent: 1}\n"
                     "  load-high: {enabled: false}\n")
    env = {"SWARMTUI_SSH_USER": "root", "SWARMTUI_SSH_KEY": lab.ssh_key,
           "SWARMTUI_SSH_KNOWN_HOSTS": lab.known_hosts}
    result = swarmtui("check", "--probes", "--rules", str(rules), "--host", lab.docker_host,
                      env=env)
    lines = result.stdout.splitlines()
    for node in ("pop-os", "worker-1", "worker-2", "worker-3"):
        assert any(line.startswith(f"WARNING disk-full: {node}: ") and "% full" in line
                   for line in lines), result.stdout + result.stderr
        assert any(line.startswith(f"WARNING memory-high: {node}: memory ") for line in lines)
    plain = swarmtui("check", "--rules", str(rules), "--host", lab.docker_host, env=env)
    assert "disk-full" not in plain.stdout  # probes only when asked for
