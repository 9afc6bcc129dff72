"""Plans executed on the real lab: applied, verified, audited, undone."""

from __future__ import annotations

import json

import pytest

from swarmtui.actions.audit import AuditLog
from swarmtui.actions.execute import Executor, StepFailed
from swarmtui.actions.plan import Plan, Step
from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.secrets import MASK

pytestmark = pytest.mark.lab


@pytest.fixture
def executor(lab, tmp_path):
    source = EngineSource(lab.docker_host)
    source.connect()
    yield Executor(source, audit=AuditLog(tmp_path / "audit.jsonl"), verify_timeout=90)
    source.close()


def spec_of(executor, name):
    return executor._service(name)["Spec"]


def run(executor, *steps, sentence="test"):
    return executor.run(Plan(tuple(Step(a, p) for a, p in steps), sentence=sentence),
                        confirmation="y")


def test_scale_is_verified_and_undo_restores_the_count(executor):
    result = run(executor, ("service.scale", {"service": "shop_web", "replicas": 4}))
    assert result.ok, result.summary
    assert result.results[0].message == "shop_web runs 4/4"
    assert executor.undo() == "restored shop_web's previous spec"
    assert spec_of(executor, "shop_web")["Mode"]["Replicated"]["Replicas"] == 3


def test_undo_refuses_to_revert_a_change_someone_made_after_it(executor, lab):
    import subprocess

    from tests.conftest import DOCKER_CLI

    env = {"DOCKER_HOST": lab.docker_host, "PATH": "/usr/bin:/bin"}
    original = spec_of(executor, "swarmpit_db")
    result = run(executor, ("service.scale", {"service": "swarmpit_db", "replicas": 2}))
    assert result.ok, result.summary
    try:  # a colleague tunes the update policy with the docker CLI meanwhile
        subprocess.run([DOCKER_CLI, "service", "update", "-d", "--update-delay", "7s",
                        "swarmpit_db"], env=env, check=True, capture_output=True)
        with pytest.raises(StepFailed, match=r"swarmpit_db was changed after swarmtui's "
                                             r"change \(UpdateConfig\)"):
            executor.undo()
        spec = spec_of(executor, "swarmpit_db")
        assert spec["UpdateConfig"]["Delay"] == 7_000_000_000  # theirs, kept
        assert spec["Mode"]["Replicated"]["Replicas"] == 2  # and nothing put back
    finally:  # the spec as the stack had it
        executor._update_service(executor._service("swarmpit_db"), original)


def test_image_and_env_changes_are_verified_and_undone(executor):
    before = spec_of(executor, "swarmpit_db")
    result = run(executor,
                 ("service.update_image", {"service": "swarmpit_db", "image": "lab/busybox:1.36"}),
                 ("service.update_env", {"service": "swarmpit_db",
                                         "set": {"API_TOKEN": "s3cr3t", "LOG_LEVEL": "debug"}}))
    assert result.ok, result.summary
    spec = spec_of(executor, "swarmpit_db")
    assert spec["TaskTemplate"]["ContainerSpec"]["Image"] == "lab/busybox:1.36"
    assert "API_TOKEN=s3cr3t" in spec["TaskTemplate"]["ContainerSpec"]["Env"]
    executor.undo()
    assert "API_TOKEN=s3cr3t" not in (spec_of(executor, "swarmpit_db")["TaskTemplate"]
                                      ["ContainerSpec"].get("Env") or [])
    executor.undo()
    assert spec_of(executor, "swarmpit_db")["TaskTemplate"]["ContainerSpec"]["Image"] == \
        before["TaskTemplate"]["ContainerSpec"]["Image"]
    audit = executor.audit.path.read_text()
    assert "s3cr3t" not in audit  # values never reach the audit trail
    entries = [json.loads(line) for line in audit.splitlines()]
    assert entries[1]["params"]["set"] == {"API_TOKEN": MASK, "LOG_LEVEL": MASK}
    assert [e["action"] for e in entries] == ["service.update_image", "service.update_env",
                                              "undo", "undo"]
    assert all(e["ok"] for e in entries) and entries[0]["confirmation"] == "y"


def test_a_removed_service_is_recreated_by_undo(executor):
    before = spec_of(executor, "monitoring_grafana")
    result = run(executor, ("service.remove", {"service": "monitoring_grafana"}))
    assert result.ok, result.summary
    with pytest.raises(StepFailed):
        executor._service("monitoring_grafana")
    assert executor.undo() == "re-created monitoring_grafana from its recorded spec"
    again = spec_of(executor, "monitoring_grafana")
    assert again["TaskTemplate"]["ContainerSpec"] == before["TaskTemplate"]["ContainerSpec"]
    assert again["Labels"] == before["Labels"]


def test_drain_waits_until_the_nodes_tasks_moved_then_activate(executor):
    result = run(executor, ("node.drain", {"node": "worker-2"}))
    assert result.ok, result.summary
    assert "drain done" in result.results[0].message
    state = executor.state()  # done means stopped there, not only told to stop
    worker = state.node_named("worker-2")
    assert not [t for t in state.tasks_on(worker.id) if t.state == "running"]
    back = run(executor, ("node.activate", {"node": "worker-2"}))
    assert back.ok, back.summary


def test_a_multi_step_plan_stops_at_the_first_failure_and_says_what_ran(executor):
    result = run(executor, ("node.label_add", {"node": "worker-2", "key": "zone", "value": "b"}),
                 ("service.scale", {"service": "swarmpit_agent", "replicas": 2}),
                 ("node.label_remove", {"node": "worker-2", "key": "zone"}))
    assert not result.ok
    assert len(result.results) == 2
    assert result.summary.startswith("1/3 steps done; stopped at service.scale")
    assert "global" in result.results[1].message
    executor.undo()  # the label


def test_read_only_engine_refuses_every_change(lab, tmp_path):
    source = EngineSource(lab.docker_host, readonly=True)
    source.connect()
    try:
        executor = Executor(source, audit=AuditLog(tmp_path / "audit.jsonl"))
        result = executor.run(Plan((Step("service.scale", {"service": "shop_web",
                                                            "replicas": 5}),)))
        assert not result.ok
        assert result.results[0].message.startswith("read-only mode: refused POST")
        assert source.client.request_counts["POST"] == 0  # it never left the process
    finally:
        source.close()


def test_do_previews_asks_and_runs_only_on_the_right_answer(lab):
    import subprocess
    import sys

    def do(sentence: str, answer: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "swarmtui", "do", "--host",
                               lab.docker_host, sentence], input=f"{answer}\n",
                              capture_output=True, text=True, timeout=180)

    wrong = do("delete the swarmpit app", "y")  # destructive: the name must be typed
    assert "type 'swarmpit_app'" in wrong.stdout and "nothing ran" in wrong.stdout
    assert wrong.returncode == 1
    source = EngineSource(lab.docker_host)
    source.connect()
    try:
        assert any(s["Spec"]["Name"] == "swarmpit_app" for s in source.fetch().services)
        scaled = do("scale swarmpit app to 2", "y")
        assert scaled.returncode == 0, scaled.stdout + scaled.stderr
        assert "replicas 1 → 2" in scaled.stdout and "1/1 steps done" in scaled.stdout
        back = do("scale swarmpit app to 1", "y")
        assert back.returncode == 0, back.stdout + back.stderr
        # the cluster moves while the operator reads the preview: what was shown is not run
        asking = subprocess.Popen([sys.executable, "-m", "swarmtui", "do", "--host",
                                   lab.docker_host, "scale swarmpit app up by 1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert asking.stdout is not None and "replicas 1 → 2" in asking.stdout.readline()
        from tests.conftest import DOCKER_CLI

        subprocess.run([DOCKER_CLI, "service", "scale", "-d", "swarmpit_app=3"], check=True,
                       capture_output=True, env={"DOCKER_HOST": lab.docker_host})
        out, err = asking.communicate("y\n", timeout=60)
        assert asking.returncode == 1 and "the cluster changed while you decided" in err, out
        assert "replicas 1 → 2 is now replicas 3 → 2" in err
        (app,) = [s for s in source.fetch().services if s["Spec"]["Name"] == "swarmpit_app"]
        assert app["Spec"]["Mode"]["Replicated"]["Replicas"] == 3  # nothing ran
        subprocess.run([DOCKER_CLI, "service", "scale", "-d", "swarmpit_app=1"], check=True,
                       capture_output=True, env={"DOCKER_HOST": lab.docker_host})
    finally:
        source.close()


def test_probe_and_ssh_run_over_real_ssh_and_an_unknown_host_key_is_refused(lab, tmp_path):
    from swarmtui.actions.ssh import SSHError, SSHRunner, SSHSettings
    from swarmtui.commands.common import read_state

    source = EngineSource(lab.docker_host)
    state = read_state(source)
    trusted = SSHRunner(SSHSettings(username="root", client_keys=(lab.ssh_key,),
                                    known_hosts=lab.known_hosts))
    try:
        executor = Executor(source, audit=AuditLog(tmp_path / "audit.jsonl"), ssh=trusted)
        result = executor.run(Plan((Step("node.probe", {"node": "worker-1", "probe": "load"}),
                                    Step("ssh.run", {"node": "worker-1",
                                                     "command": "hostname"}))))
        assert result.ok, result.summary
        probe, run_ = result.results
        assert probe.message == "`cat /proc/loadavg` on worker-1 exited 0"
        assert len(probe.output.split()) == 5  # the kernel's load line
        assert run_.output.strip() == "worker-1"  # it ran on that node, in its namespace
        refused = executor.run(Plan((Step("ssh.run", {"node": "worker-1",
                                                      "command": "uptime; reboot"}),)))
        assert not refused.ok and "shell syntax" in refused.results[0].message
        # what a node prints reaches the jobs view with its secret values masked
        shown: list[str] = []
        told = executor.run(Plan((Step("ssh.run", {"node": "worker-1",
                                                   "command": "echo DB_PASSWORD=hunter2 x=1"}),)),
                            output=lambda _step, line: shown.append(line))
        assert told.ok and "hunter2" not in "".join(shown) + told.results[0].output
        assert shown and shown[0].strip().endswith("x=1")
        # commands that only look leave nothing for u to step over
        with pytest.raises(StepFailed, match="nothing to undo"):
            executor.undo()
    finally:
        trusted.close()
        source.close()
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    stranger = SSHRunner(SSHSettings(username="root", client_keys=(lab.ssh_key,),
                                     known_hosts=str(empty)))
    try:
        with pytest.raises(SSHError) as refusal:
            stranger.probe(state.node_named("worker-1"), "uptime")
    finally:
        stranger.close()
    message = str(refusal.value)
    assert f"is not in {empty}; refused" in message and "SHA256:" in message
    assert f"ssh-keyscan 10.77.0.12 >> {empty}" in message  # the file this runner reads


def test_do_runs_a_probe_over_ssh_with_the_configured_key(lab):
    import subprocess
    import sys

    env = {**__import__("os").environ, "SWARMTUI_SSH_USER": "root",
           "SWARMTUI_SSH_KEY": lab.ssh_key, "SWARMTUI_SSH_KNOWN_HOSTS": lab.known_hosts}
    result = subprocess.run([sys.executable, "-m", "swarmtui", "do", "--host", lab.docker_host,
                             "check memory on worker-2"], input="y\n", env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "$ ssh worker-2 free -m" in result.stdout  # the preview shows exactly what runs
    assert "`free -m` on worker-2 exited 0" in result.stdout
    assert "Mem:" in result.stdout  # what free printed on that node


def test_node_ssh_follows_the_users_ssh_config(lab, tmp_path):
    """No swarmtui SSH settings at all: ~/.ssh/config gives the user, key and known_hosts."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text(
        f"Host 10.77.0.13\n    User root\n    IdentityFile {lab.ssh_key}\n"
        f"    UserKnownHostsFile {lab.known_hosts}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWARMTUI_SSH")}
    env["HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "swarmtui", "do", "--host", lab.docker_host,
                             "check memory on worker-2"], input="y\n", env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "`free -m` on worker-2 exited 0" in result.stdout and "Mem:" in result.stdout
    (home / ".ssh" / "config").write_text("")  # without it: no key, no trust — refused
    refused = subprocess.run([sys.executable, "-m", "swarmtui", "do", "--host",
                              lab.docker_host, "check memory on worker-2"], input="y\n",
                             env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "Mem:" not in refused.stdout


def test_ssh_output_streams_per_node_overrides_and_jump_hosts_apply(lab, tmp_path):
    import subprocess
    import threading

    from swarmtui.actions.ssh import SSHError, SSHRunner, SSHSettings
    from swarmtui.commands.common import read_state
    from swarmtui.config import NodeSSH

    state = read_state(EngineSource(lab.docker_host))
    nodes = {
        # worker-1 reached at worker-2's address: the override wins over Status.Addr
        "worker-1": NodeSSH(host="10.77.0.13"),
        # worker-3 reached through pop-os as a bastion
        "worker-3": NodeSSH(jump="root@10.77.0.11"),
        "pop-os": NodeSSH(jump="root@10.77.0.99:22"),  # a bastion that is not there
    }
    runner = SSHRunner(SSHSettings(username="root", client_keys=(lab.ssh_key,),
                                   known_hosts=lab.known_hosts, timeout=5, nodes=nodes))
    lines: list[tuple[str, str]] = []
    try:
        streamed = runner.run(state.node_named("worker-2"),
                              ["sh", "-c", "echo one; echo two >&2; echo three; exit 3"],
                              on_line=lambda stream, line: lines.append((stream, line)))
        assert streamed.exit_status == 3
        assert [line for stream, line in lines if stream == "stdout"] == ["one", "three"]
        assert ("stderr", "two") in lines
        assert runner.run(state.node_named("worker-1"), ["hostname"]).stdout.strip() == \
            "worker-2"
        assert runner.run(state.node_named("worker-3"), ["hostname"]).stdout.strip() == \
            "worker-3"
        assert "jump:root@10.77.0.11" in runner._connections  # it went through the bastion
        with pytest.raises(SSHError, match=r"jump host root@10\.77\.0\.99:22: cannot connect"):
            runner.run(state.node_named("pop-os"), ["hostname"])
        cancel = threading.Event()
        threading.Timer(1.0, cancel.set).start()
        started = __import__("time").monotonic()
        stopped = runner.run(state.node_named("worker-2"), ["sleep", "30"], cancel=cancel,
                             terminal=True)  # as ssh.run runs: a hang-up stops it
        assert __import__("time").monotonic() - started < 5
        assert stopped.exit_status != 0
        # a command that keeps writing is stopped too, and the job is not held by it
        cancel = threading.Event()
        threading.Timer(1.0, cancel.set).start()
        started = __import__("time").monotonic()
        runner.run(state.node_named("worker-2"), ["top", "-b", "-d", "1"], cancel=cancel,
                   terminal=True)
        # top -b outlives its hang-up, and the lab's sshd (no privilege separation)
        # delivers no signals: the job must still be let go, the channel dropped
        assert __import__("time").monotonic() - started < 8
        subprocess.run(["pkill", "-x", "-f", "top -b -d 1"], check=False)  # the lab's own
    finally:
        runner.close()


def test_promote_demote_and_labels_are_verified_and_undone(executor):
    result = run(executor, ("node.promote", {"node": "worker-3"}))
    assert result.ok, result.summary
    assert executor.state().node_named("worker-3").role == "manager"
    assert run(executor, ("node.demote", {"node": "worker-3"})).ok
    assert executor.state().node_named("worker-3").role == "worker"
    added = run(executor, ("node.label_add", {"node": "worker-2", "key": "tier",
                                              "value": "edge"}))
    assert added.ok, added.summary
    assert executor.state().node_named("worker-2").labels["tier"] == "edge"
    removed = run(executor, ("node.label_remove", {"node": "worker-2", "key": "tier"}))
    assert removed.ok, removed.summary
    assert "tier" not in executor.state().node_named("worker-2").labels
    executor.undo()  # the label comes back
    assert executor.state().node_named("worker-2").labels["tier"] == "edge"
    executor.undo()  # and goes again
    assert "tier" not in executor.state().node_named("worker-2").labels


def test_undo_survives_a_restart_and_stays_with_its_cluster(lab, tmp_path):
    from swarmtui.actions.undo import UndoStack

    path = tmp_path / "undo.json"
    source = EngineSource(lab.docker_host)
    source.connect()
    try:
        first = Executor(source, audit=AuditLog(tmp_path / "audit.jsonl"),
                         undo=UndoStack(path))
        assert run(first, ("service.scale", {"service": "shop_web", "replicas": 2})).ok
        assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds specs, env included
        elsewhere = UndoStack(path, cluster="some-other-swarm")
        assert elsewhere.peek() is None  # another cluster's console cannot undo it
        again = Executor(source, audit=AuditLog(tmp_path / "audit.jsonl"),
                         undo=UndoStack(path))  # as after a restart: knows no cluster yet
        assert again.undo() == "restored shop_web's previous spec"
        assert spec_of(again, "shop_web")["Mode"]["Replicated"]["Replicas"] == 3
        assert len(UndoStack(path, cluster=again.undo_stack.cluster)) == 0
    finally:
        source.close()


def test_restart_rollback_and_pause_are_verified(executor):
    # a one-replica service: a global one rolls node by node, twice, for a minute or more
    before = spec_of(executor, "monitoring_alertmanager")
    restarted = run(executor, ("service.restart", {"service": "monitoring_grafana"}))
    assert restarted.ok, restarted.summary
    assert restarted.results[0].message.startswith("monitoring_grafana updated")
    updated = run(executor, ("service.update_image", {"service": "monitoring_alertmanager",
                                                      "image": "lab/busybox:1.36"}))
    assert updated.ok, updated.summary
    rolled = run(executor, ("service.rollback", {"service": "monitoring_alertmanager"}))
    assert rolled.ok, rolled.summary
    after = spec_of(executor, "monitoring_alertmanager")
    assert after["TaskTemplate"]["ContainerSpec"]["Image"] == \
        before["TaskTemplate"]["ContainerSpec"]["Image"]
    paused = run(executor, ("node.pause", {"node": "worker-1"}))
    assert paused.ok, paused.summary
    assert executor.state().node_named("worker-1").availability == "pause"
    assert run(executor, ("node.activate", {"node": "worker-1"})).ok
    assert executor.state().node_named("worker-1").availability == "active"


def test_reads_answer_from_the_live_cluster_with_its_logs_and_are_audited(executor):
    from swarmtui.actions.plan import Plan

    lines: list[str] = []
    result = executor.run(Plan((
        Step("query.services", {"state": "failing"}),
        Step("view.logs", {"service": "shop_web", "tail": 5}),
        Step("diagnose.service", {"service": "shop_worker"}),
    ), sentence="what fails, web logs, why the worker"), confirmation="(read)",
        output=lambda _step, line: lines.append(line))
    assert result.ok, result.summary
    query, logs, diagnosis = result.results
    assert "shop_worker" in query.output and "shop_web" not in query.output
    assert logs.output.count("GET /") >= 3  # shop_web's own access lines, from the engine
    assert "non-zero exit (1)" in diagnosis.output and "panic" in diagnosis.output
    assert lines == (query.output + "\n" + logs.output + "\n" + diagnosis.output).splitlines()
    records = [json.loads(r) for r in executor.audit.path.read_text().splitlines()]
    assert [r["action"] for r in records] == ["query.services", "view.logs", "diagnose.service"]


def test_scaling_a_crash_loop_up_is_not_reported_as_done(executor):
    executor.verify_timeout = 20  # it either never gets there or does not stay there
    before = spec_of(executor, "shop_worker")["Mode"]["Replicated"]["Replicas"]
    result = run(executor, ("service.scale", {"service": "shop_worker", "replicas": before + 1}))
    try:
        assert not result.ok  # its tasks exit 1 within seconds: it never holds its count
        assert "shop_worker" in result.results[0].message
        assert "non-zero exit" in result.results[0].message or \
            "did not hold" in result.results[0].message
    finally:
        executor.undo()


def test_a_node_changed_between_read_and_write_is_read_again(executor, lab):
    import subprocess

    from tests.conftest import DOCKER_CLI

    env = {"DOCKER_HOST": lab.docker_host, "PATH": "/usr/bin:/bin"}
    read = executor._node
    raced: list[str] = []

    def stale_once(name: str):  # someone updates the node right after swarmtui read it
        current = read(name)
        if not raced:
            raced.append(name)
            subprocess.run([DOCKER_CLI, "node", "update", "--label-add", "race=1", name],
                           env=env, check=True, capture_output=True)
        return current

    executor._node = stale_once
    try:
        result = run(executor, ("node.label_add", {"node": "worker-2", "key": "tier",
                                                   "value": "edge"}))
        assert result.ok, result.summary  # "update out of sequence" was read again
        labels = executor.state().node_named("worker-2").labels
        assert labels["tier"] == "edge" and labels["race"] == "1"  # theirs kept too
    finally:
        subprocess.run([DOCKER_CLI, "node", "update", "--label-rm", "race", "--label-rm",
                        "tier", "worker-2"], env=env, capture_output=True)
