"""Shared fixtures: the recorded cluster, and the real lab for integration tests."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from swarmtui.swarm.model import ClusterState
from swarmtui.swarm.parse import RawCluster, build_state

FIXTURES = Path(__file__).parent / "fixtures"
INCIDENT = FIXTURES / "cluster-incident.json"


@pytest.fixture(scope="session")
def incident_raw() -> dict[str, Any]:
    return json.loads(INCIDENT.read_text())


@pytest.fixture
def incident(incident_raw: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the recording, free to edit."""
    return copy.deepcopy(incident_raw)


def state_from(data: dict[str, Any], *, without_status: bool = False) -> ClusterState:
    services = data["services"]
    if without_status:
        services = [{k: v for k, v in s.items() if k != "ServiceStatus"} for s in services]
    raw = RawCluster(
        info=data.get("info", {}),
        version=data.get("version", {}),
        nodes=data.get("nodes", []),
        services=services,
        tasks=data.get("tasks", []),
    )
    when = datetime.fromtimestamp(data.get("captured_at", 0), UTC)
    return build_state(raw, 1, when)
