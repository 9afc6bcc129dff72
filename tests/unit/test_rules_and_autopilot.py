"""Alert rules on small clusters; the autopilot's decisions and limits; rules and policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from swarmtui.alerts.model import AlertBook, Severity
from swarmtui.alerts.rules import RuleEngine, load_rules
from swarmtui.autopilot import Autopilot, carry_out, load_policy
from swarmtui.backup import Backup, restore_plan
from swarmtui.config import ConfigError
from tests.conftest import state_from
from tests.unit.builders import cluster, node, service, task

T0 = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
REPLICATED3 = {"Replicated": {"Replicas": 3}}


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def managers(*reachability: str):
    nodes = []
    for index, reach in enumerate(reachability):
        raw = node(f"m{index}", f"manager-{index}", role="manager", leader=index == 0)
        raw["ManagerStatus"]["Reachability"] = reach
        if reach != "reachable":
            raw["Status"]["State"] = "down"
        nodes.append(raw)
    return nodes


def rules_of(state, now=T0):
    return {(f.rule, f.subject): f for f in RuleEngine().evaluate(state, now)}


def test_quorum_single_manager_and_unreachable_managers():
    assert ("single-manager", "manager-0") in rules_of(state_from(cluster(managers("reachable"),
                                                                          [], [])))
    healthy = rules_of(state_from(cluster(managers("reachable", "reachable", "reachable"),
                                          [], [])))
    assert not [key for key in healthy if key[0].startswith(("quorum", "manager"))]
    one_lost = rules_of(state_from(cluster(managers("reachable", "reachable", "unreachable"),
                                           [], [])))
    assert "one more loss" in one_lost[("quorum-at-risk", "swarm")].summary
    assert ("manager-unreachable", "manager-2") in one_lost
    assert ("node-down", "manager-2") in one_lost
    two_lost = rules_of(state_from(cluster(managers("reachable", "unreachable", "unreachable"),
                                           [], [])))
    assert "not a majority (2 needed)" in two_lost[("quorum-at-risk", "swarm")].summary
    assert RuleEngine().lost_quorum("no leader").severity is Severity.CRITICAL


def test_crash_loop_needs_three_failures_in_the_window_and_names_codes_and_errors():
    def tasks(count: int, age: float):
        return [task(f"t{i}", "s1", node_id="w1", state="failed", desired="shutdown",
                     err="task: non-zero exit (137)", exit_code=137, timestamp=stamp(-age))
                for i in range(count)]

    base = [node("w1", "worker-1")]
    svc = service("s1", "web", REPLICATED3, status={"RunningTasks": 0, "DesiredTasks": 3})
    looping = rules_of(state_from(cluster(base, [svc], tasks(3, 60))))
    finding = looping[("crash-loop", "web")]
    assert "3 tasks failed in the last 5 min" in finding.summary
    assert finding.detail == "exit codes 137 — task: non-zero exit (137)"
    assert ("crash-loop", "web") not in rules_of(state_from(cluster(base, [svc], tasks(2, 60))))
    assert ("crash-loop", "web") not in rules_of(state_from(cluster(base, [svc],
                                                                    tasks(5, 600))))


def test_degraded_waits_out_its_grace_period_and_the_data_can_say_it_began_earlier():
    base = [node("w1", "worker-1")]
    svc = service("s1", "web", REPLICATED3, status={"RunningTasks": 2, "DesiredTasks": 3})
    running = [task(f"r{i}", "s1", node_id="w1", slot=i) for i in (1, 2)]
    starting = task("p3", "s1", node_id="w1", slot=3, state="starting", timestamp=stamp(0))
    state = state_from(cluster(base, [svc], [*running, starting]))
    engine = RuleEngine()
    assert not any(f.rule == "service-degraded" for f in engine.evaluate(state, T0))
    assert not any(f.rule == "service-degraded"
                   for f in engine.evaluate(state, T0 + timedelta(seconds=20)))
    assert any(f.rule == "service-degraded"
               for f in engine.evaluate(state, T0 + timedelta(seconds=31)))
    fresh = RuleEngine()  # a new console sees a task stuck since long before it started
    assert any(f.rule == "service-degraded"
               for f in fresh.evaluate(state, T0 + timedelta(minutes=5)))


def test_pending_carries_the_schedulers_message_and_drift_is_named():
    base = [node("w1", "worker-1")]
    pending = service("s1", "db", {"Replicated": {"Replicas": 1}},
                      status={"RunningTasks": 0, "DesiredTasks": 1})
    message = "no suitable node (scheduling constraints not satisfied on 1 node)"
    raw_pending = task("p1", "s1", state="pending", err=message, timestamp=stamp(-60))
    drift = service("s2", "api", {"Replicated": {"Replicas": 2}},
                    status={"RunningTasks": 2, "DesiredTasks": 2})
    a = task("a1", "s2", node_id="w1", slot=1, timestamp=stamp(-600))
    b = task("a2", "s2", node_id="w1", slot=2, timestamp=stamp(-600))
    b["Spec"]["ContainerSpec"]["Image"] = "img:2"
    found = rules_of(state_from(cluster(base, [pending, drift], [raw_pending, a, b])))
    assert found[("tasks-pending", "db")].detail == message
    assert found[("image-drift", "api")].detail == "img:1, img:2"


def test_alerts_fire_last_and_resolve_by_themselves():
    book = AlertBook()
    down = state_from(cluster([node("w1", "worker-1", state="down")], [], []))
    up = state_from(cluster([node("w1", "worker-1")], [], []))
    engine = RuleEngine()
    book.update(engine.evaluate(down, T0), T0)
    alerts = book.update(engine.evaluate(down, T0 + timedelta(seconds=10)),
                         T0 + timedelta(seconds=10))
    assert [(a.rule, a.duration(T0 + timedelta(seconds=10))) for a in alerts] == \
        [("node-down", 10.0)]
    assert book.update(engine.evaluate(up, T0 + timedelta(seconds=20)),
                       T0 + timedelta(seconds=20)) == []
    assert book.resolved[0].rule == "node-down" and book.resolved[0].resolved_at is not None


@pytest.mark.parametrize(("text", "message"), [
    ("rules: [1]", "expected `rules:` mapping"),
    ("rules:\n  nope: {}", "unknown rule 'nope'"),
    ("rules:\n  crash-loop: {failures: 0}", "field 'rules.crash-loop.failures' must be a "
                                              "positive number"),
    ("rules:\n  service-degraded: {grace: soon}", "field 'rules.service-degraded.grace' must "
                                                   "be a duration"),
    ("rules:\n  node-down: {severity: loud}", "must be one of info, warning, critical"),
    ("rules:\n  node-down: {colour: red}", "field 'rules.node-down.colour' is unknown"),
    ("rules:\n  crash-loop: {severity: [critical]}", "must be one of info, warning"),
    ("rules:\n  crash-loop: {window: .inf}", "'rules.crash-loop.window' must be a duration"),
    ("rules:\n  crash-loop: {window: 1e300}", "'rules.crash-loop.window' must be a duration"),
    ("rules:\n  crash-loop: {window: nanm}", "'rules.crash-loop.window' must be a duration"),
    ("rules:\n  crash-loop: {failures: .nan}", "'rules.crash-loop.failures' must be a positive"),
    ("rules:\n  service-degraded: {grace: .nan}", "'rules.service-degraded.grace' must be"),
    ("rules:\n  disk-full: {interval: 0}", "'rules.disk-full.interval' must be a duration"),
    ("rule:\n  crash-loop: {enabled: false}", "unknown field 'rule'"),
    ("[" * 100000, "too deeply nested or too large"),
    ("rules:\n  crash-loop: {failures: " + "9" * 5000 + "}", "too deeply nested or too large"),
])
def test_a_bad_rules_file_is_named_by_file_and_field(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)) as error:
        load_rules(path)
    assert message in str(error.value)


def test_rules_file_changes_thresholds_and_switches_rules_off(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  crash-loop: {failures: 5, window: 10m}\n"
                    "  single-manager: {enabled: false}\n  service-degraded: {grace: 1m}\n")
    rules = load_rules(path)
    assert rules["crash-loop"].params == {"failures": 5, "window": 600}
    assert not rules["single-manager"].enabled and rules["service-degraded"].grace == 60


# -- autopilot --------------------------------------------------------------

def paused(name: str = "shop_api"):
    svc = service("s1", name, REPLICATED3, status={"RunningTasks": 3, "DesiredTasks": 3},
                  update={"State": "paused", "Message": "update paused due to failure"})
    return state_from(cluster([node("w1", "worker-1")], [svc],
                              [task(f"t{i}", "s1", node_id="w1", slot=i) for i in (1, 2, 3)]))


def alerts_for(state, now):
    return AlertBook().update(RuleEngine().evaluate(state, now), now)


def policy(tmp_path, text: str):
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


def test_autopilot_answers_a_paused_update_with_a_rollback_within_its_rate_limit(tmp_path):
    pilot = Autopilot(policy(tmp_path, "remedies:\n  rollback-paused-update: "
                                       "{max_per_hour: 2, cooldown: 0}\n"))
    state = paused()
    decisions = pilot.decide(alerts_for(state, T0), state, T0)
    assert [(d.remedy, d.plan.steps[0].action, d.plan.steps[0].params) for d in decisions] == \
        [("rollback-paused-update", "service.rollback", {"service": "shop_api"})]
    assert decisions[0].plan.source == "autopilot"
    assert pilot.decide(alerts_for(state, T0), state, T0 + timedelta(minutes=1))
    assert not pilot.decide(alerts_for(state, T0), state, T0 + timedelta(minutes=2))  # 2/hour
    assert pilot.decide(alerts_for(state, T0), state, T0 + timedelta(minutes=61))


def test_autopilot_keeps_to_its_scope_cooldown_and_dry_run(tmp_path):
    scoped = Autopilot(policy(tmp_path, "scope: {services: ['lab-*']}\n"
                                        "remedies:\n  rollback-paused-update: {}\n"))
    state = paused()
    assert scoped.decide(alerts_for(state, T0), state, T0) == []
    cooling = Autopilot(policy(tmp_path, "remedies:\n  rollback-paused-update: "
                                         "{cooldown: 10m}\n"))
    assert cooling.decide(alerts_for(state, T0), state, T0)
    assert not cooling.decide(alerts_for(state, T0), state, T0 + timedelta(minutes=5))
    dry = Autopilot(policy(tmp_path, "dry_run: true\nremedies:\n  rollback-paused-update: {}\n"))
    said: list[str] = []

    class Refuses:
        def run(self, *args, **kwargs):
            raise AssertionError("a dry run must not run anything")

    (decision,) = dry.decide(alerts_for(state, T0), state, T0)
    assert carry_out(decision, Refuses(), dry.policy.dry_run, said.append)
    assert said == ["autopilot (dry run) would service.rollback shop_api — update-paused: "
                    "shop_api: update paused"]


def test_autopilot_waits_before_draining_a_down_node(tmp_path):
    pilot = Autopilot(policy(tmp_path, "remedies:\n  drain-down-node: {after: 5m}\n"))
    down = state_from(cluster([node("w1", "worker-1", state="down"),
                               node("m1", "manager-1", role="manager", leader=True)], [], []))
    book = AlertBook()
    alerts = book.update(RuleEngine().evaluate(down, T0), T0)
    assert not pilot.decide(alerts, down, T0 + timedelta(minutes=4))
    later = T0 + timedelta(minutes=6)
    alerts = book.update(RuleEngine().evaluate(down, later), later)
    (decision,) = pilot.decide(alerts, down, later)
    assert decision.plan.steps[0].params == {"node": "worker-1"}


@pytest.mark.parametrize(("text", "message"), [
    ("dry_run: true", "expected `remedies:`"),
    ("remedies:\n  reboot-everything: {}", "unknown remedy 'reboot-everything'"),
    ("remedies:\n  drain-down-node: {after: later}", "'remedies.drain-down-node.after' must"),
    ("remedies:\n  drain-down-node: {max_per_hour: 0}", "must be a whole number from 1 to 60"),
    ("remedies:\n  rollback-paused-update: 5", "'remedies.rollback-paused-update' must be a"),
    ("remedies:\n  drain-down-node: {after: .nan}", "'remedies.drain-down-node.after' must"),
    ("remedies:\n  drain-down-node: {cooldown: nan}", "'remedies.drain-down-node.cooldown'"),
    ("scope: {services: web}\nremedies:\n  drain-down-node: {}", "'scope.services' must be"),
])
def test_a_bad_policy_is_named_by_file_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        policy(tmp_path, text)
    assert message in str(error.value) and "policy.yaml" in str(error.value)


def test_restore_plan_creates_missing_updates_changed_and_masks_env(tmp_path):
    def svc(name: str, image: str, env: list[str]):
        return {"ID": name, "Spec": {"Name": name, "TaskTemplate": {
            "ContainerSpec": {"Image": image, "Env": env}, "ForceUpdate": 0}}}

    backup = Backup(tmp_path / "b.tar.gz", {}, {
        "web": svc("web", "web:1", ["API_TOKEN=old"]),
        "db": svc("db", "db:1", []),
        "cache": svc("cache", "redis:7", [])})
    live = {"web": svc("web", "web:2", ["API_TOKEN=new"]), "cache": svc("cache", "redis:7", [])}
    live["cache"]["Spec"]["TaskTemplate"]["ForceUpdate"] = 3  # a restart is not a change
    items = {i.name: i for i in restore_plan(backup, live)}
    assert items["db"].kind == "create" and items["cache"].kind == "same"
    assert items["web"].kind == "update"
    assert "TaskTemplate.ContainerSpec.Image: 'web:2' → 'web:1'" in items["web"].changes
    assert not any("old" in c or "new" in c for c in items["web"].changes)
    assert [i.name for i in restore_plan(backup, live, ["db"])] == ["db"]


def test_probe_outputs_are_parsed_against_the_thresholds(incident):
    from swarmtui.alerts.probes import disk_usage, memory_used_percent, node_findings
    from swarmtui.alerts.rules import RULES

    df = ("Filesystem      Size  Used Avail Use% Mounted on\n"
          "/dev/sda1        50G   46G  4.0G  92% /\n"
          "tmpfs           3.9G     0  3.9G   0% /dev/shm\n"
          "/dev/sdb1       100G   10G   90G  10% /var/lib/docker\n")
    free = ("               total        used        free      shared  buff/cache   available\n"
            "Mem:           24000       22000         500         10        1500        1200\n"
            "Swap:              0           0           0\n")
    assert disk_usage(df) == [("/", 92), ("/var/lib/docker", 10)]
    assert memory_used_percent(free) == pytest.approx(95.0)
    node = state_from(incident).node_named("worker-1")
    found = {f.rule: f for f in node_findings(
        node, {"disk": df, "memory": free, "load": "0.1 99.0 0.1 1/100 1"}, RULES)}
    assert found["disk-full"].summary == "worker-1: / is 92% full"
    assert found["memory-high"].summary == "worker-1: memory 95% used"
    assert "load-high" in found
    assert node_findings(node, {"disk": df.replace("92%", "80%")}, RULES) == []


def test_watch_prints_each_alert_once_and_refuses_an_autopilot_read_only(tmp_path):
    from tests.conftest import INCIDENT, swarmtui

    watched = swarmtui("watch", "--snapshot", str(INCIDENT), "--for", "1.5")
    assert watched.returncode == 0, watched.stderr
    firing = [line for line in watched.stdout.splitlines() if " FIRING " in line]
    assert len(firing) == 6 and any("crash-loop: shop_worker" in line for line in firing)
    policy = tmp_path / "policy.yaml"
    policy.write_text("remedies:\n  rollback-paused-update: {}\n")
    refused = swarmtui("watch", "--readonly", "--autopilot", str(policy), "--snapshot",
                       str(INCIDENT))
    assert refused.returncode == 2 and "refusing to start" in refused.stderr
    recording = swarmtui("watch", "--autopilot", str(policy), "--snapshot", str(INCIDENT))
    assert recording.returncode == 2 and "needs a live engine" in recording.stderr


def hostile_archive(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return path


@pytest.mark.parametrize(("members", "links", "message"), [
    ({"manifest.json": b"[1, 2]"}, None, "not a swarmtui-backup/1 archive"),
    ({"manifest.json": b"[" * 100000}, None, "manifest.json is not valid JSON"),
    ({}, {"manifest.json": "manifest.json"}, "manifest.json is not a plain file"),
    ({"manifest.json": b'{"format": "swarmtui-backup/1", "services": 5}'}, None,
     "'services' must be a list of service names"),
    ({"manifest.json": b'{"format": "swarmtui-backup/1", "services": ["../../x"]}'}, None,
     "'services' must be a list of service names"),
    ({"manifest.json": b'{"format": "swarmtui-backup/1", "services": ["web"]}',
      "services/web.json": b'{"Spec": {"Name": "database"}}'}, None,
     "services/web.json is not the spec of a service named web"),
    ({"manifest.json": b'{"format": "swarmtui-backup/1", "services": ["web"]}',
      "services/web.json": b"[1]"}, None, "is not the spec of a service named web"),
])
def test_a_hostile_backup_archive_is_one_line(tmp_path, members, links, message):
    from swarmtui.backup import BackupError, read_backup

    path = hostile_archive(tmp_path / "b.tar.gz", members, links)
    with pytest.raises(BackupError) as error:
        read_backup(path)
    assert message in str(error.value)


def test_a_decompression_bomb_is_refused_by_its_declared_size(tmp_path, monkeypatch):
    import swarmtui.backup as backup

    monkeypatch.setattr(backup, "MAX_MEMBER", 1000)
    path = hostile_archive(tmp_path / "b.tar.gz", {"manifest.json": b" " * 5000})
    with pytest.raises(backup.BackupError, match="too large"):
        backup.read_backup(path)


def test_secrets_typed_in_sentences_never_reach_history_or_audit(tmp_path):
    from swarmtui.actions.audit import AuditLog
    from swarmtui.swarm.secrets import mask_sentence, mask_text

    typed = ["--password hunter2", "docker login -p hunter2", "token hunter2",
             "Authorization: Bearer hunter2", "DB_PASSWORD='hunter2 two' on web",
             "password = 'hunter2 two'", "set DB_PASSWORD=hunter2 on shop_api"]
    for text in typed:
        assert "hunter2" not in mask_sentence(text), text
    assert mask_sentence("set LOG_LEVEL=debug on web") == "set LOG_LEVEL=debug on web"
    audit = AuditLog(tmp_path / "audit.jsonl")
    audit.record(sentence="set DB_PASSWORD=hunter2 on shop_api", action="service.update_env")
    assert "hunter2" not in (tmp_path / "audit.jsonl").read_text()
    from swarmtui.actions.audit import redact_params
    from swarmtui.actions.plan import Step

    step = Step("ssh.run", {"node": "w1", "command": "curl -H 'Authorization: Bearer hunter2' x"})
    assert "hunter2" not in str(redact_params(step)) and "curl" in str(redact_params(step))
    long_value = "y" * 200_000  # linear time: a long environment value must not hang
    assert mask_text(long_value) == long_value


@pytest.mark.parametrize(("text", "message"), [
    ("ssh:\n  nodes:\n    ~: {port: 22}", "must be keyed by node names"),
    ("ssh:\n  nodes:\n    w1: {jump: 'u@h:notaport'}", "'ssh.nodes.w1.jump' must be a jump host"),
    ("ssh:\n  nodes:\n    w1: {jump: 'h:99999'}", "'ssh.nodes.w1.jump' must be a jump host"),
    ("ssh:\n  nodes:\n    w1: [1]", "'ssh.nodes.w1' must be a mapping"),
    ("ssh:\n  port: 1e20", "not '1e20'"),
    ("llm:\n  api_key: [sk-ant-secret]", "not (hidden)"),
    ("alertmanager:\n  url: ftp://x", "'alertmanager.url' must be a URL"),
    ("ssh: 5", "field 'ssh' must be a mapping of key, known_hosts, nodes, port, user"),
    ("logs:\n  max_lines: lots", "field 'logs.max_lines' must be a whole number"),
    ("llm:\n  base_url: not a url", "field 'llm.base_url' must be a URL"),
    ("wall:\n  colour: red", "unknown field 'wall.colour'"),
])
def test_bad_ssh_and_alertmanager_settings_are_named_without_their_secrets(tmp_path, text,
                                                                           message):
    from swarmtui.config import load_settings

    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_settings(env={"SWARMTUI_CONFIG": str(path)})
    assert message in str(error.value) and str(path) in str(error.value)
    assert "sk-ant-secret" not in str(error.value)


def test_probes_run_per_node_and_an_unreachable_node_is_reported_not_raised(incident):
    """The aggregation around the SSH runner (the runner itself is tested on the lab)."""
    from swarmtui.actions.ssh import SSHError, SSHResult
    from swarmtui.alerts.probes import probe_findings
    from swarmtui.alerts.rules import RULES

    outputs = {"disk": "Filesystem Size Used Avail Use% Mounted\n/dev/sda 1G 1G 0 95% /\n",
               "memory": "", "load": "9 9 9 1/1 1"}

    class Nodes:
        def probe(self, node, probe):
            if node.name == "worker-2":
                raise SSHError("worker-2 (10.77.0.13): cannot connect: refused")
            return SSHResult(node.name, probe, 0, outputs[probe], "")

    found, problems = probe_findings(state_from(incident), Nodes(), RULES)
    assert sorted({f.subject for f in found if f.rule == "disk-full"}) == \
        ["pop-os", "worker-1", "worker-3"]
    assert problems == ["worker-2 (10.77.0.13): cannot connect: refused"]


def test_pruning_keeps_the_newest_backups_of_one_swarm_and_nothing_else(tmp_path):
    from swarmtui.backup import prune_backups

    def archive(name: str) -> object:
        path = tmp_path / name
        path.write_bytes(b"x")
        return path

    old = [archive(f"swarmtui-backup-abc123-2026120{d}T020000Z.tar.gz") for d in (1, 2, 3)]
    same_second = archive("swarmtui-backup-abc123-20261203T020000Z-2.tar.gz")
    other_swarm = archive("swarmtui-backup-zzz999-20261101T020000Z.tar.gz")
    unrelated = archive("notes.tar.gz")
    (tmp_path / "swarmtui-backup-abc123-20261130T020000Z.tar.gz").symlink_to(unrelated)
    latest = archive("swarmtui-backup-abc123-20261204T020000Z.tar.gz")
    removed = prune_backups(latest, keep=3)
    assert sorted(p.name for p in removed) == sorted(p.name for p in old[:2])
    assert {p.name for p in tmp_path.iterdir()} == {
        latest.name, same_second.name, old[2].name, other_swarm.name, unrelated.name,
        "swarmtui-backup-abc123-20261130T020000Z.tar.gz"}
    assert prune_backups(latest, keep=1) == [same_second, old[2]]
    with pytest.raises(ValueError):
        prune_backups(latest, keep=0)


@pytest.mark.parametrize(("text", "flag", "message"), [
    ("theme: nope", None, "config.yaml: field 'theme': no theme named 'nope'"),
    ("keymap: emacs", None, "config.yaml: field 'keymap': no keymap named 'emacs'"),
    ("", "--theme=nope", "--theme: no theme named 'nope'"),
])
def test_an_unknown_theme_or_keymap_names_where_it_was_asked_for(tmp_path, text, flag,
                                                                    message):
    from tests.conftest import swarmtui

    (tmp_path / "swarmtui").mkdir()
    (tmp_path / "swarmtui" / "config.yaml").write_text(text)
    result = swarmtui("--demo", *([flag] if flag else []),
                      env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("disk-full: {percent: 150}",
     "field 'rules.disk-full.percent' must be a percentage above 0 and at most 100, not 150"),
    ("memory-high: {percent: 0}", "'rules.memory-high.percent' must be a percentage"),
    ("disk-full: {percent: -5}", "'rules.disk-full.percent' must be a percentage"),
    ("disk-full: {percent: '85'}", "'rules.disk-full.percent' must be a percentage"),
    ("disk-full: {percent: true}", "'rules.disk-full.percent' must be a percentage"),
    ("crash-loop: {failures: 2.5}",
     "field 'rules.crash-loop.failures' must be a whole number (a count), not 2.5"),
    ("crash-loop: {failures: true}", "'rules.crash-loop.failures' must be a positive number, "
                                      "not True"),
    ("load-high: {per_cpu: false}", "'rules.load-high.per_cpu' must be a positive number"),
    ("load-high: {per_cpu: 0}", "'rules.load-high.per_cpu' must be a positive number"),
    ("crash-loop: {window: true}", "'rules.crash-loop.window' must be a duration"),
    ("crash-loop: {window: -5m}", "'rules.crash-loop.window' must be a duration"),
    ("disk-full: {interval: false}", "'rules.disk-full.interval' must be a duration"),
    ("service-degraded: {grace: -1}", "'rules.service-degraded.grace' must be a duration"),
    ("service-degraded: {grace: true}", "'rules.service-degraded.grace' must be a duration"),
])
def test_rule_thresholds_are_checked_for_what_they_measure(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(f"rules:\n  {text}\n")
    with pytest.raises(ConfigError) as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    assert "\n" not in str(error.value)


def test_sensible_rule_thresholds_are_kept(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  disk-full: {percent: 100}\n  memory-high: {percent: 0.5}\n"
                    "  crash-loop: {failures: 4.0}\n  load-high: {per_cpu: 1.5}\n"
                    "  service-degraded: {grace: 0}\n")
    rules = load_rules(path)
    assert rules["disk-full"].params["percent"] == 100
    assert rules["memory-high"].params["percent"] == 0.5
    assert rules["crash-loop"].params["failures"] == 4
    assert isinstance(rules["crash-loop"].params["failures"], int)
    assert rules["load-high"].params["per_cpu"] == 1.5
    assert rules["service-degraded"].grace == 0


def test_swarmtui_check_refuses_a_percentage_over_100(tmp_path):
    from tests.conftest import INCIDENT, swarmtui

    rules = tmp_path / "swarmtui" / "rules.yaml"
    rules.parent.mkdir()
    rules.write_text("rules:\n  disk-full: {percent: 150}\n")
    result = swarmtui("check", "--snapshot", str(INCIDENT),
                      env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"{rules}: field 'rules.disk-full.percent' must be a percentage" in result.stdout
