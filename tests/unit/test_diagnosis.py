"""Enter on an alert: the evidence, the last log lines, remedies one key away, ack and silence."""

from __future__ import annotations

import json
from datetime import timedelta

from rich.console import Console

from swarmtui.alerts.diagnose import check_constraint, diagnose
from swarmtui.alerts.model import AlertBook
from swarmtui.alerts.rules import RuleEngine
from swarmtui.ui.diagnosis import DiagnosisScreen
from swarmtui.ui.keyed_table import KeyedTable
from swarmtui.ui.plan_screen import PlanScreen
from tests.conftest import demo_app, state_from, until


def alerts_of(state):
    return {(a.rule, a.subject): a for a in
            AlertBook().update(RuleEngine().evaluate(state, state.fetched_at), state.fetched_at)}


def test_each_alert_gets_its_evidence_and_remedies(incident):
    state = state_from(incident)
    alerts = alerts_of(state)
    paused = diagnose(alerts[("update-paused", "shop_api")], state, state.fetched_at)
    assert [(r.key, r.step.action if r.step else None) for r in paused.remedies] == \
        [("l", None), ("b", "service.rollback")]
    assert ("image", "lab/busybox:9.9") in paused.facts
    assert ("previous image", "lab/busybox:1.35") in paused.facts
    looping = diagnose(alerts[("crash-loop", "shop_worker")], state, state.fetched_at)
    assert {t.exit_code for t in looping.failing} == {1}
    assert ("R", "service.restart") in [(r.key, r.step.action if r.step else None)
                                         for r in looping.remedies]
    pending = diagnose(alerts[("tasks-pending", "shop_analytics")], state, state.fetched_at)
    assert pending.unsatisfied == ["node.labels.gpu == true"]
    assert pending.failing[0].error.startswith("no suitable node")
    paused_node = diagnose(alerts[("node-paused", "worker-3")], state, state.fetched_at)
    assert [r.step.action for r in paused_node.remedies if r.step] == ["node.activate"]


def test_constraints_are_checked_against_node_facts(incident):
    state = state_from(incident)
    worker = state.node_named("worker-1")
    assert check_constraint("node.role == worker", worker) is True
    assert check_constraint("node.role != worker", worker) is False
    assert check_constraint("node.hostname==worker-1", worker) is True
    assert check_constraint("engine.labels.zone == a", worker) is None  # cannot know: no claim
    import dataclasses

    from swarmtui.alerts.diagnose import placement

    web = dataclasses.replace(state.service_named("shop_web"),
                              constraints=("node.labels.db != true", "node.role == worker"))
    (_, db_ok, db_not), (_, _, role_not) = placement(web, state)
    assert "worker-2" in db_ok and db_not == ["worker-1 (db=true)"]  # the value it has
    assert role_not == ["pop-os (role=manager)"]
    analytics = state.service_named("shop_analytics")
    assert placement(analytics, state)[0][2][0] == "pop-os (no labels.gpu)"  # none at all


def open_alert(app, rule: str, subject: str):
    table = app.screen.query_one("#alerts", KeyedTable)
    table.focus()
    table.select_key(json.dumps(["swarmtui", rule, subject]))


async def test_enter_on_an_alert_diagnoses_it_and_b_proposes_the_rollback():
    app = demo_app()
    app.readonly = False
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        open_alert(app, "update-paused", "shop_api")
        await pilot.press("enter")
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        assert screen.log_lines is not None  # the last lines, fetched once
        console = Console(record=True, width=120)
        console.print(screen.shown)
        body = console.export_text()
        assert "roll shop_api back to its previous spec" in body
        assert "update paused due to failure" in body
        rejected = [line for line in body.splitlines() if " rejected " in line]
        assert rejected and all(line.split()[0].startswith("shop_api.") for line in rejected)
        assert all(line.split()[3] == "No" for line in rejected)  # never ran: no exit code
        await pilot.press("b")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PlanScreen)
        assert [p.step.action for p in app.screen.previews] == ["service.rollback"]
        await pilot.press("escape")


async def test_a_crash_loop_shows_the_failed_tasks_own_last_lines():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        open_alert(app, "crash-loop", "shop_worker")
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "log_lines", None) is not None, 5,
                    "the failed tasks' logs")
        lines = app.screen.log_lines
        headers = [line for line in lines if line.startswith("— task shop_worker.")]
        assert len(headers) == 3, lines  # the three newest failed tasks, each by name
        assert sum("panic: dial tcp postgres:5432" in line for line in lines) >= 3
        assert "(logs unavailable" not in " ".join(lines)


async def test_remedies_are_refused_read_only_and_ack_and_silence_work():
    app = demo_app()  # a recording is read-only
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        open_alert(app, "crash-loop", "shop_worker")
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("R")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DiagnosisScreen)
        assert any("read-only mode" in str(n.message) for n in app._notifications)
        await pilot.press("a")
        await pilot.pause(0.1)
        worker = next(a for a in app.alerts if a.subject == "shop_worker")
        assert worker.acknowledged
        await pilot.press("S")  # asks how long; esc closes the question, not the diagnosis
        await pilot.press("escape")
        assert isinstance(app.screen, DiagnosisScreen)
        assert app.alert_book.silenced() == []
        await pilot.press("S")
        field = app.screen.query_one("#silence-for")
        assert field.value == "1h" and field.has_focus  # the hour is offered
        field.value = ""
        await pilot.press(*"4x", "enter")  # not a duration: said, not applied
        await pilot.pause(0.1)
        assert any("not '4x'" in str(n.message) for n in app._notifications)
        assert app.alert_book.silenced() == []
        field.value = ""
        await pilot.press(*"0s", "enter")
        await pilot.pause(0.1)
        assert any("above zero" in str(n.message) for n in app._notifications)
        assert app.alert_book.silenced() == []
        field.value = ""
        await pilot.press(*"4h", "enter")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, DiagnosisScreen)
        assert ("crash-loop", "shop_worker") not in {(a.rule, a.subject) for a in app.alerts}
        assert [a.subject for a in app.alert_book.silenced()] == ["shop_worker"]
        key = ("swarmtui", "crash-loop", "shop_worker")
        until_time = app.alert_book.silenced_until(key)
        assert until_time - app.alert_time("swarmtui") == timedelta(hours=4)
