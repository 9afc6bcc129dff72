"""Pilot tests of the log view's `:` commands on the recorded incident: save, tail, since."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Log, Static

from swarmtui.config import Settings
from swarmtui.swarm.recorded import RecordedSource
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.logs_screen import LogScreen
from tests.conftest import INCIDENT, demo_app, until

# The incident's shop_web: three tasks, twenty lines each, one a second up to the capture.
WEB_LINES = 60
CAPTURED = datetime.fromtimestamp(1796313895, UTC)  # 16:04:55 UTC


async def open_web_logs(app: SwarmApp, pilot) -> LogScreen:
    await until(pilot, lambda: app.state is not None, 5, "the recording loaded")
    app.push_screen(LogScreen(app.state.service_named("shop_web").id))
    screen = app.screen
    assert isinstance(screen, LogScreen)
    await until(pilot, lambda: len(screen.buffer) == WEB_LINES, 5, "shop_web's lines shown")
    return screen


async def command(pilot, text: str) -> None:
    """`:` then the text, typed, then Enter — as the operator does it."""
    await pilot.press("colon", *("space" if c == " " else c for c in text), "enter")
    await pilot.pause()


def messages(app: SwarmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def header(screen: LogScreen) -> str:
    return str(screen.query_one("#log-header", Static).render())


def tasks_of(screen: LogScreen) -> set[str]:
    return {line.task_id for line in screen.buffer}


async def test_save_refuses_an_existing_file_and_leaves_it_intact(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: each typed key costs a redraw
    existing = tmp_path / "keep.log"
    existing.write_text("precious\n")
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_web_logs(app, pilot)
        await command(pilot, "save keep.log")
        assert existing.read_text() == "precious\n"
        refusal = next(m for m in messages(app) if "exists" in m)
        assert refusal == "keep.log exists; give a new name"
        assert not any(m.startswith("saved") for m in messages(app))


async def test_save_creates_a_new_file_readable_only_by_its_owner(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fresh = tmp_path / "web.log"
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_web_logs(app, pilot)
        await command(pilot, "save web.log")
        saved = fresh.read_text().splitlines()
        assert len(saved) == WEB_LINES and saved[-1].endswith("GET /cart/54 200 80ms")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        assert f"saved {WEB_LINES} lines to web.log" in messages(app)


async def test_save_key_never_overwrites_an_earlier_save_in_the_same_second(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_web_logs(app, pilot)
        await pilot.press("S", "S")
        await pilot.pause()
        saved = sorted(tmp_path.glob("swarmtui-shop_web-*.log"))
        assert len(saved) == 2  # the second got a name of its own, the first is intact
        assert all(len(path.read_text().splitlines()) == WEB_LINES for path in saved)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "", "2.5"])
async def test_tail_without_a_whole_number_of_lines_says_so_and_keeps_the_view(value):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_web_logs(app, pilot)
        shown = list(screen.query_one(Log).lines)
        await command(pilot, f"tail {value}".rstrip())
        assert "tail takes a whole number of lines, 1 or more" in messages(app)
        assert not any("invalid literal" in m for m in messages(app))
        await pilot.pause(0.2)  # a restarted stream would have emptied and refilled it
        assert len(screen.buffer) == WEB_LINES
        assert list(screen.query_one(Log).lines) == shown


async def test_tail_counts_per_task_as_docker_does_and_the_header_says_so():
    # `docker service logs --tail N` keeps the last N lines of each task (moby/moby#32331);
    # the recording must be cut the same way, not as its lines happen to lie in the file.
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_web_logs(app, pilot)
        await command(pilot, "tail 5")
        await until(pilot, lambda: len(screen.buffer) == 15, 5, "5 lines of each of 3 tasks")
        assert len(tasks_of(screen)) == 3
        for task in tasks_of(screen):
            stamps = [line.timestamp for line in screen.buffer if line.task_id == task]
            assert len(stamps) == 5
            assert min(stamps) >= CAPTURED - timedelta(seconds=6)  # each task's newest five
        assert "last 5 lines per task" in header(screen)


async def test_since_on_a_recording_counts_back_from_its_capture_time():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_web_logs(app, pilot)
        await command(pilot, "since 10m")
        await until(pilot, lambda: len(screen.buffer) == WEB_LINES, 5, "all ten minutes shown")
        assert "since 15:54:55" in header(screen)  # the capture (16:04:55) less ten minutes
        await command(pilot, "since 10s")
        await until(pilot, lambda: 0 < len(screen.buffer) < WEB_LINES, 5, "the last 10 s")
        assert "since 16:04:45" in header(screen)
        cut = CAPTURED - timedelta(seconds=11)
        assert all(line.timestamp >= cut for line in screen.buffer)
        assert len(tasks_of(screen)) == 3


class LiveRecording(RecordedSource):
    """The recording served as if from a live engine: `since` counts back from now."""

    is_live = True


async def test_since_on_a_live_engine_counts_back_from_now():
    app = SwarmApp(LiveRecording(INCIDENT), settings=Settings(highlight_seconds=0),
                   mode="live")
    now = datetime(2026, 12, 5, 9, 30, 0, tzinfo=UTC)
    app.clock = lambda: now
    async with app.run_test(size=(80, 24)) as pilot:
        await open_web_logs(app, pilot)
        screen = app.screen
        await command(pilot, "since 10m")
        await until(pilot, lambda: "since 09:20:00" in header(screen), 5, "since now - 10m")
