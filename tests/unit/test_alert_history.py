"""Alert history: acknowledgements, silences and resolved alerts outlive the console."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from swarmtui.alerts.model import RESTORED_ACK_WAIT, AlertBook, Finding, Severity
from swarmtui.ui.alerts_screen import AlertsScreen
from swarmtui.ui.diagnosis import DiagnosisScreen
from tests.conftest import demo_app

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DOWN = Finding("node-down", "worker-2", Severity.CRITICAL, "worker-2 is down")
LOOP = Finding("crash-loop", "shop_worker", Severity.CRITICAL, "3 failed tasks")
KEY_DOWN = ("swarmtui", "node-down", "worker-2")
KEY_LOOP = ("swarmtui", "crash-loop", "shop_worker")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def book_on(path) -> AlertBook:
    book = AlertBook()
    assert book.attach(path) is None
    return book


def test_acks_silences_and_resolved_alerts_are_read_back_after_a_restart(tmp_path):
    path = tmp_path / "alerts.json"
    first = book_on(path)
    first.update([DOWN, LOOP], at(0))
    assert first.acknowledge(KEY_DOWN)
    first.silence(KEY_LOOP, at(3600))
    first.update([DOWN], at(10))  # the crash loop resolves; its silence lasts its hour
    assert os.stat(path).st_mode & 0o777 == 0o600

    second = book_on(path)  # a new console on the same swarm
    firing = second.update([DOWN, LOOP], at(20))
    assert [(a.subject, a.acknowledged) for a in firing] == [("worker-2", True)]
    assert second.silenced_until(KEY_LOOP) == at(3600)
    assert [(a.rule, a.resolved_at) for a in second.resolved] == [("crash-loop", at(10))]


def test_an_acknowledgement_ends_with_its_alert_and_a_silence_with_its_time(tmp_path):
    path = tmp_path / "alerts.json"
    book = book_on(path)
    book.update([DOWN, LOOP], at(0))
    book.acknowledge(KEY_DOWN)
    book.silence(KEY_LOOP, at(60))
    book.update([LOOP], at(10))  # the node came back
    book.update([DOWN, LOOP], at(20))  # and went down again: a new incident, not acked
    assert not next(a for a in book.firing() if a.key == KEY_DOWN).acknowledged
    assert [a.key for a in book.firing()] == [KEY_DOWN]  # the loop is still silenced
    book.update([DOWN, LOOP], at(61))
    assert {a.key for a in book.firing()} == {KEY_DOWN, KEY_LOOP}
    assert json.loads(path.read_text())["silenced"] == []


def test_an_acknowledgement_read_back_waits_for_its_alert_then_is_forgotten(tmp_path):
    path = tmp_path / "alerts.json"
    first = book_on(path)
    first.update([DOWN], at(0))
    first.acknowledge(KEY_DOWN)

    waited = book_on(path)
    waited.update([], at(5))  # not firing yet after the restart (a grace period, say)
    assert waited.update([DOWN], at(40))[0].acknowledged

    forgotten = book_on(path)
    forgotten.update([], at(50))
    forgotten.update([], at(50 + RESTORED_ACK_WAIT + 1))
    assert not forgotten.update([DOWN], at(50 + RESTORED_ACK_WAIT + 2))[0].acknowledged


@pytest.mark.parametrize("content", [
    "not json", "[]", '{"acknowledged": "abc"}', '{"silenced": [[1, 2, 3, 4]]}',
    '{"resolved": [{"rule": "x"}]}', '{"resolved": 5}',
    '{"resolved": [{"rule": "r", "subject": "s", "severity": 9, "summary": "",'
    ' "resolved_at": "2026-01-01T00:00:00+00:00"}]}',
    '{"silenced": [["a", "b", "c", "2026-01-01T00:00:00"]]}',
])
def test_a_damaged_file_is_named_and_the_book_starts_afresh(tmp_path, content):
    path = tmp_path / "alerts.json"
    path.write_text(content)
    book = AlertBook()
    problem = book.attach(path)
    assert problem is not None and str(path) in problem and "start afresh" in problem
    assert [a.key for a in book.update([DOWN], at(0))] == [KEY_DOWN]
    book.acknowledge(KEY_DOWN)  # and the file is written anew, readable again
    assert book_on(path).update([DOWN], at(1))[0].acknowledged


def test_an_unwritable_file_never_stops_the_book(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    book = AlertBook()
    problem = book.attach(blocker / "alerts.json")  # its directory cannot exist
    assert problem is not None and "Not a directory" in problem
    book.update([DOWN], at(0))
    assert book.acknowledge(KEY_DOWN)
    assert book.firing()[0].acknowledged


async def test_the_history_lists_silenced_and_resolved_alerts_and_lifts_a_silence():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        book = app.alert_book
        book.silence(KEY_LOOP, app.now() + timedelta(hours=1))
        app.evaluate_alerts()
        assert KEY_LOOP not in {a.key for a in app.alerts}
        await pilot.press("H")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        states = {alert.key: state for _, alert, state in screen.entries()}
        assert states[KEY_LOOP].startswith("muted ")
        assert set(states.values()) >= {"firing"}
        table = screen.query_one("#alert-history")
        table.move_cursor(row=[k for k, _, _ in screen.entries()].index(json.dumps(KEY_LOOP)))
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DiagnosisScreen)
        assert "silenced until" in str(app.screen.query_one("#diagnosis-title").render())
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("S")
        await pilot.pause(0.2)
        assert book.silenced_until(KEY_LOOP) is None
        assert KEY_LOOP in {a.key for a in app.alerts}
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, AlertsScreen)


async def test_resolved_alerts_show_how_long_they_lasted():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        now = app.now()
        gone = Finding("node-down", "worker-9", Severity.CRITICAL, "worker-9 is down")
        app.alert_book.update([gone], now - timedelta(minutes=5))
        app.alert_book.update([], now - timedelta(minutes=2))
        app.evaluate_alerts()
        app.action_alert_history()
        await pilot.pause(0.2)
        screen = app.screen
        resolved = [(key, alert) for key, alert, state in screen.entries()
                    if state == "resolved" and alert.subject == "worker-9"]
        assert [a.duration(now) for _, a in resolved] == [180.0]
        row = screen.query_one("#alert-history").get_row(resolved[0][0])
        assert [str(c) for c in row[:3]] == ["resolved", "critical", "worker-9"]
        assert str(row[5]) == "3m00s"
        firing = [state for _, _, state in screen.entries() if state != "resolved"]
        assert firing and set(firing) == {"firing"}  # the recording's alerts fire again
        table = screen.query_one("#alert-history")
        table.move_cursor(row=table.get_row_index(resolved[0][0]))
        await pilot.press("enter")  # nothing to diagnose on a resolved alert
        await pilot.pause(0.1)
        assert isinstance(app.screen, AlertsScreen)
