"""`make bench`: how fast swarmtui is, measured, never asserted.

Runs the real console in a pseudo-terminal (so every byte it writes is
counted) on the recorded incident and on a scaled clone of it (100 nodes,
2,000 services, 20,000 tasks), measures log ingestion in-process, and, when
the lab is up, event-to-screen latency and live idle cost. Prints a table
and writes bench/results.json.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import platform
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import scale  # noqa: E402

INCIDENT = ROOT / "tests" / "fixtures" / "cluster-incident.json"
TICKS = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 10.0
TARGETS = {
    "first_paint_s": ("≤", 1.0),
    "idle_cpu_percent": ("≤", 2.0),
    "idle_bytes_per_s": ("≤", 200.0),
    "live_idle_cpu_percent": ("≤", 2.0),
    "live_idle_bytes_per_s": ("≤", 200.0),
    "rss_mb": ("≤", 250.0),
    "log_lines_per_s": ("≥", 20000.0),
    "event_to_screen_median_ms": ("≤", 300.0),
    "check_max_s": ("≤", 2.0),
    "translate_p95_ms": ("≤", 10.0),
}


class TerminalRun:
    """The console in a pty of a fixed size; counts what it writes."""

    def __init__(self, args: list[str], size: tuple[int, int] = (240, 67),
                 env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "swarmtui", *args], stdin=slave, stdout=slave, stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]),
                 "LINES": str(size[1]), **(env or {})},
            cwd=ROOT, start_new_session=True,
        )
        os.close(slave)
        self.bytes = 0
        self.tail = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.bytes += len(chunk)
                self.tail = (self.tail + chunk)[-200_000:]

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if marker in self.tail:
                    return time.perf_counter() - self.started
            time.sleep(0.005)
        raise TimeoutError(f"{marker!r} never appeared")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_peak_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def idle(self, seconds: float) -> tuple[float, float]:
        """(CPU % of one core, bytes written per second) over `seconds` of no input."""
        cpu0, bytes0, t0 = self.cpu_seconds(), self.bytes, time.perf_counter()
        time.sleep(seconds)
        elapsed = time.perf_counter() - t0
        return (100 * (self.cpu_seconds() - cpu0) / elapsed, (self.bytes - bytes0) / elapsed)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def stop(self) -> None:
        self.send("q")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.master)


def console_figures(name: str, snapshot: Path, services: int) -> dict[str, Any]:
    run = TerminalRun(["--snapshot", str(snapshot)])
    try:
        first_paint = run.wait_for(f"{services} services".encode())
        time.sleep(3)  # let start-up work settle before calling anything idle
        cpu, rate = run.idle(IDLE_SECONDS)
        return {"cluster": name, "first_paint_s": round(first_paint, 3),
                "idle_cpu_percent": round(cpu, 2), "idle_bytes_per_s": round(rate, 1),
                "rss_mb": round(run.rss_peak_mb(), 1)}
    finally:
        run.stop()


def translation(data: dict[str, Any]) -> dict[str, Any]:
    """The offline translator on every sentence of the NL benches, per sentence."""
    import statistics

    import yaml

    from swarmtui.nl.offline import OfflineTranslator
    from swarmtui.nl.resolve import name_index
    from tests.conftest import state_from

    benches = sorted((ROOT / "tests" / "fixtures" / "nl-bench").glob("*.yaml"))
    sentences = [case["say"] for bench in benches for case in yaml.safe_load(bench.read_text())]
    state = state_from(data)
    started = time.perf_counter()
    name_index(state)  # once per cluster state, shared by every sentence until the next one
    index_ms = (time.perf_counter() - started) * 1000
    translator = OfflineTranslator()
    times = []
    for sentence in sentences:
        started = time.perf_counter()
        translator.translate(sentence, state)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"sentences": len(sentences), "name_index_ms": round(index_ms, 1),
            "translate_median_ms": round(statistics.median(times), 2),
            "translate_p95_ms": round(times[int(len(times) * 0.95)], 2),
            "translate_max_ms": round(times[-1], 2)}


def log_ingestion(lines: int = 200_000) -> dict[str, Any]:
    """Lines per second from the reader thread to the screen, and the UI's worst stall."""
    from swarmtui.config import Settings
    from swarmtui.swarm.recorded import RecordedSource, ReplayedLogs
    from swarmtui.ui.app import SwarmApp
    from swarmtui.ui.logs_screen import LogScreen

    class Firehose(RecordedSource):
        """The recorded shop_web lines, repeated with fresh timestamps (as a busy service)."""

        def open_logs(self, request):
            recorded = super().open_logs(request)._lines
            burst = []
            for i in range(lines):
                stream, line = recorded[i % len(recorded)]
                burst.append((stream, f"2026-12-03T16:{i // 60000 % 60:02d}:"
                                      f"{i // 1000 % 60:02d}.{i % 1000:06d}000Z"
                                      f" {line.split(' ', 1)[1]}"))
            return ReplayedLogs(burst, follow=True)

    async def measure() -> dict[str, Any]:
        app = SwarmApp(Firehose(INCIDENT), settings=Settings(log_tail=0), mode="snapshot")
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause(0.3)
            gaps: list[float] = []
            last = [time.perf_counter()]

            def tick() -> None:
                now = time.perf_counter()
                gaps.append(now - last[0])
                last[0] = now

            app.set_interval(0.02, tick)
            started = time.perf_counter()
            app.push_screen(LogScreen(app.state.service_named("shop_web").id))
            await pilot.pause(0.05)
            screen = app.screen
            while screen.follower.received < lines and time.perf_counter() - started < 120:
                await pilot.pause(0.02)
            await pilot.pause(0.3)
            elapsed = time.perf_counter() - started
            return {"log_lines_per_s": round(lines / elapsed),
                    "log_ui_worst_stall_ms": round(max(gaps) * 1000, 1),
                    "log_lines": lines, "log_dropped_in_burst": screen.follower.dropped}

    return asyncio.run(measure())


def lab_figures() -> dict[str, Any]:
    from swarmtui import lab

    info = lab.status()
    if info is None:
        return {"lab": "not up: run `swarmtui lab up --stack demo` first to measure these"}
    figures: dict[str, Any] = {"lab": "up"}
    figures.update(check_duration(info.docker_host))
    figures.update(event_latency(info.docker_host))
    run = TerminalRun(["--host", info.docker_host])
    try:
        run.wait_for(b"15 services")
        time.sleep(3)
        # The demo stack is never still: shop_worker crash-loops every few seconds.
        cpu, rate = run.idle(IDLE_SECONDS)
        figures["live_demo_stack_cpu_percent"] = round(cpu, 2)
        figures["live_demo_stack_bytes_per_s"] = round(rate, 1)
        docker_cli(info.docker_host, "service", "scale", "--detach", "shop_worker=0")
        time.sleep(6)
        cpu, rate = run.idle(IDLE_SECONDS)
        figures["live_idle_cpu_percent"] = round(cpu, 2)
        figures["live_idle_bytes_per_s"] = round(rate, 1)
        run.send(":")
        time.sleep(0.3)
        run.send("logs shop_web\r")
        run.wait_for(b"logs of shop_web")
        time.sleep(3)
        _, rate = run.idle(IDLE_SECONDS)
        figures["following_logs_bytes_per_s"] = round(rate, 1)
        figures["following_logs_note"] = "shop_web: 3 replicas writing 1 line/s each"
    finally:
        run.stop()
        docker_cli(info.docker_host, "service", "scale", "--detach", "shop_worker=2")
    return figures


def check_duration(docker_host: str, rounds: int = 5) -> dict[str, Any]:
    """`swarmtui check` end to end (process start to exit), as cron would run it."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "swarmtui", "check", "--host", docker_host],
                       capture_output=True, check=False, timeout=60)
        samples.append(time.perf_counter() - started)
    return {"check_median_s": round(statistics.median(samples), 2),
            "check_max_s": round(max(samples), 2)}


def docker_cli(host: str, *args: str) -> None:
    subprocess.run(["/usr/bin/docker", "-H", host, *args], check=True, capture_output=True)


def event_latency(docker_host: str, rounds: int = 10) -> dict[str, Any]:
    """From `docker service scale` returning to the new desired count on screen."""
    import docker

    from swarmtui.swarm.engine import EngineSource
    from swarmtui.ui.app import SwarmApp

    client = docker.APIClient(base_url=docker_host, version="auto")

    def scale_to(replicas: int) -> None:
        service = client.inspect_service("shop_web")
        spec = service["Spec"]
        spec["Mode"]["Replicated"]["Replicas"] = replicas
        client.update_service("shop_web", service["Version"]["Index"],
                              task_template=spec["TaskTemplate"], name=spec["Name"],
                              labels=spec.get("Labels"), mode=spec["Mode"],
                              endpoint_spec=spec.get("EndpointSpec"),
                              update_config=spec.get("UpdateConfig"),
                              networks=spec["TaskTemplate"].get("Networks"))

    async def measure() -> list[float]:
        app = SwarmApp(EngineSource(docker_host))
        samples = []
        async with app.run_test(size=(200, 50)) as pilot:
            while app.state is None:
                await pilot.pause(0.05)
            await pilot.pause(1)
            table = app.screen.query_one("#services")
            key = app.state.service_named("shop_web").id
            for index in range(rounds):
                replicas = 4 if index % 2 == 0 else 3
                await asyncio.to_thread(scale_to, replicas)
                started = time.perf_counter()
                while not str(table.get_row(key)[1]).endswith(f"/{replicas}"):
                    await asyncio.sleep(0.005)
                samples.append((time.perf_counter() - started) * 1000)
                await pilot.pause(1.5)
        return samples

    try:
        samples = asyncio.run(measure())
    finally:
        client.close()
    return {"event_to_screen_median_ms": round(statistics.median(samples), 1),
            "event_to_screen_max_ms": round(max(samples), 1), "event_rounds": len(samples)}


def verdict(key: str, value: float) -> str:
    if key not in TARGETS:
        return ""
    sign, target = TARGETS[key]
    met = value <= target if sign == "≤" else value >= target
    return f"{sign} {target:g}: {'met' if met else 'MISSED'}"


def main() -> int:
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with tempfile.TemporaryDirectory() as folder:
        scaled = Path(folder) / "scaled.json"
        data = scale(json.loads(INCIDENT.read_text()))
        scaled.write_text(json.dumps(data))
        results["recorded"] = console_figures("recorded (4 nodes, 15 services, 40 tasks)",
                                              INCIDENT, 15)
        results["scaled"] = console_figures("scaled (100 nodes, 2,000 services, 20,000 tasks)",
                                            scaled, 2000)
        results["translate (recorded)"] = translation(json.loads(INCIDENT.read_text()))
        results["translate (scaled)"] = translation(data)
    results["logs"] = log_ingestion()
    results["lab"] = lab_figures()
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"machine: {results['machine']}; load average at start {results['load_average']}")
    for section in ("recorded", "scaled", "translate (recorded)", "translate (scaled)", "logs",
                    "lab"):
        print(f"\n[{section}]")
        for key, value in results[section].items():
            mark = verdict(key, value) if isinstance(value, int | float) else ""
            print(f"  {key:32} {value!s:>12}  {mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
