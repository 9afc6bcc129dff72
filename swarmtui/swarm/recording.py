"""Record a live cluster in the snapshot format, with secrets masked.

The result is what `RecordedSource` replays and what a user attaches to a bug
report: raw Engine API JSON, environment values that look secret masked,
config data and secret data never included.
"""

from __future__ import annotations

import time
from typing import Any

from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.logs import demux, split_lines, tty_lines
from swarmtui.swarm.secrets import mask_service

EVENT_WINDOW = 15 * 60  # seconds of recent events to keep
LOG_TAIL = 200


def _service_logs(source: EngineSource, service: dict[str, Any], tail: int) -> list[dict[str, str]]:
    client = source.client
    tty = bool(
        (((service.get("Spec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}).get(
            "TTY"
        )
    )
    url = f"{client.base_url}/v{client.api_version}/services/{service['ID']}/logs"
    params = {"stdout": 1, "stderr": 1, "timestamps": 1, "details": 1, "tail": tail}
    response = client.get(url, params=params, stream=True, timeout=30)
    try:
        response.raise_for_status()
        chunks = response.iter_content(chunk_size=65536)
        lines = tty_lines(chunks) if tty else split_lines(demux(chunks))
        return [{"line": line, "stream": stream} for stream, line in lines]
    finally:
        response.close()


def record(source: EngineSource, *, log_tail: int = LOG_TAIL) -> dict[str, Any]:
    """Everything a snapshot holds, fetched from a connected engine source."""
    client = source.client
    captured_at = int(time.time())
    raw = source.fetch()
    services = [mask_service(s) for s in raw.services]
    tasks = [mask_service(t) for t in raw.tasks]
    events = list(
        client.events(since=captured_at - EVENT_WINDOW, until=captured_at, decode=True,
                      filters={"scope": "swarm"})
    )
    configs = []
    for config in client.configs():
        spec = dict(config.get("Spec") or {})
        spec.pop("Data", None)
        configs.append({**config, "Spec": spec})
    logs: dict[str, list[dict[str, str]]] = {}
    for service in raw.services:
        name = (service.get("Spec") or {}).get("Name", service["ID"])
        try:
            logs[name] = _service_logs(source, service, log_tail)
        except Exception:  # a service whose logs can't be read is recorded without them
            logs[name] = []
    return {
        "captured_at": captured_at,
        "configs": configs,
        "events": events,
        "info": raw.info,
        "logs": logs,
        "networks": client.networks(filters={"scope": "swarm"}),
        "nodes": raw.nodes,
        "secrets": [
            {k: v for k, v in s.items() if k != "Spec"} | {"Spec": {
                "Name": (s.get("Spec") or {}).get("Name"),
                "Labels": (s.get("Spec") or {}).get("Labels") or {},
            }}
            for s in client.secrets()
        ],
        "services": services,
        "tasks": tasks,
        "version": raw.version,
    }
