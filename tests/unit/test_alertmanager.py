"""A real Alertmanager (Debian's prometheus-alertmanager) on loopback: read, merge, push."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from swarmtui.alerts.alertmanager import AlertmanagerError, fetch_alerts, push_alerts
from swarmtui.alerts.model import Alert, Severity
from tests.conftest import demo_app

BINARY = "/usr/bin/prometheus-alertmanager"  # installed by scripts/setup-debian.sh
CONFIG = """
route: {receiver: nowhere, group_wait: 1s}
receivers: [{name: nowhere}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alertmanager")
    (folder / "alertmanager.yml").write_text(CONFIG)
    port = free_port()
    process = subprocess.Popen(
        [BINARY, f"--config.file={folder / 'alertmanager.yml'}",
         f"--storage.path={folder}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/-/ready", timeout=1).read()
            break
        except OSError:
            assert process.poll() is None, "alertmanager exited"
            assert time.monotonic() < deadline, "alertmanager did not become ready"
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


def post(url: str, alerts: list[dict]) -> None:
    request = urllib.request.Request(f"{url}/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def firing(name: str, **labels: str) -> dict:
    now = datetime.now(UTC)
    return {"labels": {"alertname": name, **labels},
            "annotations": {"summary": f"{name} is firing", "description": "from prometheus"},
            "startsAt": (now - timedelta(minutes=3)).isoformat(),
            "endsAt": (now + timedelta(minutes=10)).isoformat()}


async def test_alertmanagers_alerts_appear_in_the_pane_labelled_by_origin(alertmanager):
    post(alertmanager, [firing("HighErrorRate", service="shop_web", severity="critical"),
                        firing("DiskFilling", instance="worker-2:9100")])
    app = demo_app(alertmanager_url=alertmanager, alertmanager_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 15
        while not any(a.origin == "alertmanager" for a in app.alerts):
            assert time.monotonic() < deadline, "no alerts from Alertmanager"
            await pilot.pause(0.2)
        theirs = {(a.rule, a.subject, a.severity) for a in app.alerts
                  if a.origin == "alertmanager"}
        assert theirs == {("HighErrorRate", "shop_web", Severity.CRITICAL),
                          ("DiskFilling", "worker-2:9100", Severity.WARNING)}
        assert any(a.origin == "swarmtui" for a in app.alerts)  # merged, not replaced
        table = app.screen.query_one("#alerts")
        origins = {str(table.get_row_at(i)[4]) for i in range(table.row_count)}
        assert origins == {"swarmtui", "alertmanager"}
        severities = [a.severity for a in app.alerts]
        assert severities == sorted(severities, reverse=True)


def test_pushed_alerts_come_back_from_the_api_and_are_not_shown_twice(alertmanager):
    now = datetime.now(UTC)
    ours = [Alert("crash-loop", "shop_worker", Severity.CRITICAL, "8 tasks failed",
                  "exit codes 1", first_seen=now - timedelta(minutes=1)),
            Alert("HighErrorRate", "x", Severity.WARNING, "not ours", origin="alertmanager")]
    assert push_alerts(alertmanager, ours, now) == 1  # only swarmtui's own are pushed
    raw = json.loads(urllib.request.urlopen(f"{alertmanager}/api/v2/alerts").read())
    pushed = [a for a in raw if a["labels"].get("source") == "swarmtui"]
    assert pushed and pushed[0]["labels"]["alertname"] == "crash-loop"
    assert pushed[0]["labels"]["severity"] == "critical"
    assert not any(a.rule == "crash-loop" for a in fetch_alerts(alertmanager))


def test_an_unreachable_alertmanager_is_one_line():
    with pytest.raises(AlertmanagerError, match="cannot reach Alertmanager"):
        fetch_alerts(f"http://127.0.0.1:{free_port()}")


def serve(payload: bytes, status: bytes = b"200 OK"):
    """A one-trick HTTP server on loopback answering every request with `payload`."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def loop() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json"
                                   b"\r\nContent-Length: " + str(len(payload)).encode()
                                   + b"\r\nConnection: close\r\n\r\n" + payload)

    threading.Thread(target=loop, daemon=True).start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize("payload", [
    b"[" * 100000,  # nesting beyond the parser
    b'{"not": "a list"}',
    b"<html>",
])
def test_a_broken_answer_is_one_line_and_never_stops_the_console(payload):
    server, url = serve(payload)
    try:
        with pytest.raises(AlertmanagerError):
            fetch_alerts(url)
    finally:
        server.close()


async def test_an_alert_from_the_far_future_or_with_a_bar_in_its_name_is_shown_and_opened():
    from swarmtui.ui.diagnosis import DiagnosisScreen
    from swarmtui.ui.keyed_table import KeyedTable

    far = json.dumps([{"labels": {"alertname": "odd|name", "service": "a|b"},
                       "annotations": {"summary": "from the future"},
                       "startsAt": "9999-12-31T23:59:59-12:00"}]).encode()
    server, url = serve(far)
    app = demo_app(alertmanager_url=f"http://admin:s3cret@{url.removeprefix('http://')}",
                   alertmanager_interval=1.0)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 10
            while not any(a.origin == "alertmanager" for a in app.alerts):
                assert time.monotonic() < deadline
                await pilot.pause(0.2)
            table = app.screen.query_one("#alerts", KeyedTable)
            table.focus()
            table.select_key(json.dumps(["alertmanager", "odd|name", "a|b"]))
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, DiagnosisScreen)
            assert app.screen.diagnosis().remedies == []  # not ours: evidence only
            await pilot.press("S", "enter")  # for the hour offered
            await pilot.pause(0.2)
            assert not any(a.origin == "alertmanager" for a in app.alerts)  # silenced
    finally:
        server.close()


def test_a_password_in_the_url_is_sent_as_basic_auth_and_never_shown(alertmanager):
    port = alertmanager.rsplit(":", 1)[1]
    assert isinstance(fetch_alerts(f"http://admin:s3cret@127.0.0.1:{port}"), list)
    with pytest.raises(AlertmanagerError) as error:
        fetch_alerts(f"http://admin:s3cret@127.0.0.1:{free_port()}")
    assert "s3cret" not in str(error.value)


def silences(url: str) -> list[dict]:
    return json.loads(urllib.request.urlopen(f"{url}/api/v2/silences", timeout=5).read())


async def wait_for(pilot, predicate, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not seen in {timeout:.0f}s"
        await pilot.pause(0.1)


async def test_silencing_an_alertmanager_alert_silences_it_there_and_lifting_expires_it(
        alertmanager):
    from swarmtui.ui.alerts_screen import AlertsScreen

    post(alertmanager, [firing("QueueBacklog", service="shop_worker", severity="warning",
                               team="payments")])
    key = ("alertmanager", "QueueBacklog", "shop_worker")
    app = demo_app(alertmanager_url=alertmanager, alertmanager_interval=1.0)
    app.readonly = False  # a console allowed to change things (a recording never is)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: key in {a.key for a in app.alerts}, "the alert")
        message = app.silence_alert(key, datetime.now(UTC) + timedelta(hours=1))
        assert "asking Alertmanager" in message
        assert key not in {a.key for a in app.alerts}  # hidden here at once
        await wait_for(pilot, lambda: key in app.alertmanager_silences, "the silence")
        ours = [s for s in silences(alertmanager) if s["status"]["state"] == "active"]
        assert len(ours) == 1
        matchers = {(m["name"], m["value"]) for m in ours[0]["matchers"]}
        assert matchers == {("alertname", "QueueBacklog"), ("service", "shop_worker"),
                            ("severity", "warning"), ("team", "payments")}
        assert "swarmtui" in ours[0]["comment"]
        held = [a for a in fetch_alerts(alertmanager) if a.rule == "QueueBacklog"]
        assert [a.silenced_by for a in held] == [(ours[0]["id"],)]
        app.action_alert_history()  # out of the pane, in the history
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), "the history")
        states = {alert.key: state for _, alert, state in app.screen.entries()}
        assert states[key].startswith("muted ")
        said = app.lift_silence(key)
        assert said.startswith("silence lifted") and "being expired" in said
        await wait_for(pilot, lambda: all(s["status"]["state"] == "expired"
                                          for s in silences(alertmanager)), "expired")
        await wait_for(pilot, lambda: key in {a.key for a in app.alerts}, "the alert back")


async def test_a_read_only_console_silences_only_itself(alertmanager):
    post(alertmanager, [firing("CertExpiry", service="edge_traefik")])
    key = ("alertmanager", "CertExpiry", "edge_traefik")
    before = len(silences(alertmanager))
    app = demo_app(alertmanager_url=alertmanager, alertmanager_interval=1.0)  # read-only
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: key in {a.key for a in app.alerts}, "the alert")
        message = app.silence_alert(key, datetime.now(UTC) + timedelta(hours=1))
        assert "read-only: Alertmanager is not changed" in message
        await pilot.pause(0.5)
        assert key not in {a.key for a in app.alerts}
        assert len(silences(alertmanager)) == before
        assert any(a.rule == "CertExpiry" for a in fetch_alerts(alertmanager))


async def test_a_colleagues_silence_in_alertmanager_is_shown_and_left_to_them(alertmanager):
    from swarmtui.ui.alerts_screen import AlertsScreen

    post(alertmanager, [firing("ReplicaLag", service="shop_postgres", severity="critical")])
    now = datetime.now(UTC)
    body = {"matchers": [{"name": "alertname", "value": "ReplicaLag", "isRegex": False,
                          "isEqual": True}],
            "startsAt": now.isoformat(), "endsAt": (now + timedelta(hours=2)).isoformat(),
            "createdBy": "alice", "comment": "known, fixing the replica"}
    request = urllib.request.Request(f"{alertmanager}/api/v2/silences",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    silence = json.loads(urllib.request.urlopen(request, timeout=5).read())["silenceID"]
    key = ("alertmanager", "ReplicaLag", "shop_postgres")
    app = demo_app(alertmanager_url=alertmanager, alertmanager_interval=1.0)
    app.readonly = False
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: key in {a.key for a in app.external_alerts}
                       and silence in app.alertmanager_silence_info, "the silenced alert")
        assert key not in {a.key for a in app.alerts}  # silenced there: not in the pane
        until, who = app.silence_of(next(a for a in app.external_alerts if a.key == key))
        assert who == "alice in Alertmanager" and until > now + timedelta(minutes=119)
        app.action_alert_history()
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen)
                       and bool(app.screen.query("#alert-history")), "the history")
        row = app.screen.query_one("#alert-history").get_row(json.dumps(list(key)))
        assert str(row[0]).startswith("muted ")
        assert str(row[6]).endswith("silenced by alice in Alertmanager")
        said = app.lift_silence(key)
        assert said == "not lifted; silenced in Alertmanager by alice: lift it there"
        await pilot.pause(0.5)
        assert any(s["id"] == silence and s["status"]["state"] == "active"
                   for s in silences(alertmanager))
