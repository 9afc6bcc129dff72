"""The first rules: a node down, a service not healthy. The full rules engine
(grace periods, quorum, probes, configuration) replaces this."""

from __future__ import annotations

from swarmtui.alerts.model import Finding, Severity
from swarmtui.swarm.model import ClusterState, Health

SERVICE_SEVERITY = {
    Health.FAILING: Severity.CRITICAL,
    Health.ROLLBACK: Severity.CRITICAL,
    Health.UPDATE_PAUSED: Severity.WARNING,
    Health.PENDING: Severity.WARNING,
    Health.DEGRADED: Severity.WARNING,
}


def basic_findings(state: ClusterState) -> list[Finding]:
    findings = []
    for node in state.nodes:
        if node.is_down:
            findings.append(Finding("node-down", node.name, Severity.CRITICAL,
                                    f"node {node.name} is {node.state}", node.message))
        elif node.availability != "active":
            word = {"pause": "paused", "drain": "drained"}.get(node.availability, node.availability)
            findings.append(Finding(f"node-{node.availability}", node.name, Severity.INFO,
                                    f"node {node.name} is {word}"))
    for service in state.services:
        severity = SERVICE_SEVERITY.get(service.health)
        if severity is not None:
            findings.append(Finding(str(service.health), service.name, severity,
                                    f"{service.name} {service.health} ({service.counts})",
                                    service.health_reason))
    return findings
