"""Answers to the read actions (query.*, view.*, diagnose.service) from a cluster state.

Pure functions of the state, as lines of text: `swarmtui do "which services are
failing"` prints them, the console shows them in the jobs view. Log lines are
fetched by the executor and appended; secret-looking values are masked here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from swarmtui.actions.plan import Step
from swarmtui.alerts.diagnose import placement
from swarmtui.alerts.model import Alert, Finding
from swarmtui.swarm.logstream import LogRequest
from swarmtui.swarm.logtext import clean, grep_pattern, parse_line, parse_since
from swarmtui.swarm.model import ClusterState, Health, Node, Service, Task
from swarmtui.swarm.secrets import mask_env, mask_labels
from swarmtui.swarm.source import SourceError

MAX_TASKS = 50  # the newest, as `docker service ps` shows the recent history
FAILED = ("failed", "rejected", "orphaned")
# What an operator means: "degraded" is every service short of what it should be (a
# crash loop, a pending task and a paused update included); "failing" is a crash loop or
# an update that failed.
SERVICE_STATES: dict[str, tuple[Health, ...]] = {
    "degraded": (Health.DEGRADED, Health.FAILING, Health.PENDING, Health.UPDATE_PAUSED,
                 Health.ROLLBACK),
    "failing": (Health.FAILING, Health.UPDATE_PAUSED),
    "pending": (Health.PENDING,),
    "updating": (Health.UPDATING, Health.UPDATE_PAUSED, Health.ROLLBACK),
}


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            .rstrip() for row in rows]


def services_matching(state: ClusterState, wanted: str | None = None, node: str | None = None,
                      stack: str | None = None) -> list[Service]:
    chosen = list(state.services)
    if wanted and wanted != "all":
        healths = SERVICE_STATES.get(wanted, ())
        chosen = [s for s in chosen if s.health in healths]
    if node:
        target = state.node_named(node)
        ids = {t.service_id for t in state.tasks_on(target.id)
               if t.desired_state == "running"} if target else set()
        chosen = [s for s in chosen if s.id in ids]
    if stack:
        chosen = [s for s in chosen if s.stack == stack]
    return chosen


def query_services(state: ClusterState, params: dict) -> list[str]:
    chosen = services_matching(state, params.get("state"), params.get("node"),
                               params.get("stack"))
    what = " ".join(f"{k} {params[k]}" for k in ("state", "node", "stack") if params.get(k))
    if not chosen:
        return [f"no services match ({what or 'all'})"]
    rows = [("NAME", "MODE", "REPLICAS", "HEALTH", "IMAGE")]
    rows += [(s.name, s.mode_label, str(s.counts), str(s.health), s.short_image)
             for s in chosen]
    lines = _table(rows)
    lines += [f"  {s.name}: {clean(s.health_reason)}" for s in chosen
              if s.health_reason and s.health is not Health.OK]
    return lines


def _task_rows(state: ClusterState, tasks: Iterable[Task]) -> list[str]:
    newest = sorted(tasks, key=lambda t: t.timestamp.timestamp() if t.timestamp else 0,
                    reverse=True)[:MAX_TASKS]
    if not newest:
        return []
    rows = [("TASK", "NODE", "DESIRED", "STATE", "EXIT", "ERROR")]
    rows += [(state.task_name(t), state.node_name(t.node_id), t.desired_state, t.state,
              t.exit_label,
              clean(t.error or (t.message if t.state == "pending" else ""))[:120])
             for t in newest]
    return _table(rows)


def query_tasks(state: ClusterState, params: dict) -> list[str]:
    tasks: list[Task] = list(state.tasks)
    if params.get("service"):
        service = state.service_named(params["service"])
        tasks = state.tasks_of(service.id) if service else []
    if params.get("node"):
        node = state.node_named(params["node"])
        tasks = [t for t in tasks if node is not None and t.node_id == node.id]
    wanted = params.get("state")
    if wanted:
        tasks = [t for t in tasks if t.state == wanted or
                 (wanted in ("failed", "failing") and t.state in FAILED)]
    return _task_rows(state, tasks) or ["no tasks match"]


def view_service(state: ClusterState, service: Service) -> list[str]:
    lines = [f"service {service.name} ({service.id[:12]})",
             f"  image        {service.image}",
             f"  mode         {service.mode_label} · {service.counts} · {service.health}"]
    if service.health_reason:
        lines.append(f"  why          {clean(service.health_reason)}")
    if service.update_status is not None:
        lines.append(f"  update       {service.update_status.label}: "
                     f"{clean(service.update_status.message)}")
    for constraint in service.constraints:
        lines.append(f"  constraint   {constraint}")
    if service.ports:
        lines.append(f"  ports        {service.ports_label}")
    container = (service.spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    for item in mask_env(list(container.get("Env") or [])):
        lines.append(f"  env          {clean(item)}")
    for key, value in mask_labels(dict(service.labels)).items():
        lines.append(f"  label        {clean(key)}={clean(value)}")
    lines.append("tasks:")
    lines += ["  " + row for row in _task_rows(state, state.tasks_of(service.id))]
    return lines


def view_node(state: ClusterState, node: Node) -> list[str]:
    role = "manager (leader)" if node.leader else node.role
    lines = [f"node {node.name} ({node.id[:12]})",
             f"  role         {role}" + (f", {node.reachability}" if node.reachability else ""),
             f"  state        {node.state} · {node.availability}"
             + (f" · {clean(node.message)}" if node.message else ""),
             f"  address      {node.address}",
             f"  engine       {node.engine_version} · {node.os}/{node.architecture}",
             f"  resources    {node.cpus:g} CPUs · {node.memory_bytes / 2**30:.1f} GiB"]
    for key, value in mask_labels(dict(node.labels)).items():
        lines.append(f"  label        {clean(key)}={clean(value)}")
    running = [t for t in state.tasks_on(node.id) if t.desired_state == "running"]
    lines.append(f"tasks ({len(running)} meant to run here):")
    lines += ["  " + row for row in _task_rows(state, running)]
    return lines


def view_alerts(alerts: Iterable[Alert | Finding]) -> list[str]:
    lines = [f"{a.severity.label.upper():8}  {a.rule}: {clean(a.summary)}"
             + (f" — {clean(a.detail)}" if a.detail else "") for a in alerts]
    return lines or ["no alerts are firing"]


def diagnose_service(state: ClusterState, service: Service) -> list[str]:
    lines = [f"{service.name}: {service.counts} · {service.health}"
             + (f" — {clean(service.health_reason)}" if service.health_reason else "")]
    if service.update_status is not None:
        lines.append(f"update {service.update_status.label}: "
                     f"{clean(service.update_status.message)}")
    troubled = [t for t in state.tasks_of(service.id)
                if t.state in FAILED or t.state == "pending" or t.error]
    if troubled:
        lines.append("tasks that failed or wait:")
        lines += ["  " + row for row in _task_rows(state, troubled)[:16]]
    if service.constraints:
        lines.append("placement constraints:")
        for expression, ok, not_ok in placement(service, state):
            lines.append(f"  {expression}: met by {', '.join(ok) or 'no node'}"
                         + (f"; not by {', '.join(not_ok)}" if not_ok else ""))
    if len(lines) == 1:
        lines.append("no failed or waiting tasks")
    return lines


def alerts_of(state: ClusterState) -> list[Finding]:
    """The user's rules on one state (grace periods count from the data); a broken rules
    file is a ConfigError naming it."""
    from swarmtui.alerts.rules import user_rules

    return sorted(user_rules().evaluate(state, state.fetched_at),
                  key=lambda f: (-f.severity, f.rule, f.subject))


def answer(step: Step, state: ClusterState,
           alerts: Iterable[Alert | Finding] | None = None) -> list[str]:
    """The lines a read step shows; the names were checked by the validator."""
    params = dict(step.params)
    action = step.action
    if action == "query.services":
        return query_services(state, params)
    if action == "query.tasks":
        return query_tasks(state, params)
    if action == "view.alerts":
        return view_alerts(alerts_of(state) if alerts is None else alerts)
    if action == "view.node":
        node = state.node_named(params["node"])
        return view_node(state, node) if node else [f"no node named {params['node']!r}"]
    service = state.service_named(params.get("service", ""))
    if service is None:
        return [f"no service named {params.get('service')!r}"]
    if action == "view.service":
        return view_service(state, service)
    if action == "diagnose.service":
        return diagnose_service(state, service)
    return []  # view.logs: the lines are fetched by the caller (log_tail)


def log_tail(source: Any, step: Step, state: ClusterState,
             cancel: threading.Event | None = None) -> list[str]:
    """A service's last lines for view.logs and diagnose.service (grep and since applied),
    with one GET, never following. A bad `since` is a ValueError."""
    params = step.params
    service = state.service_named(params.get("service", ""))
    if service is None:
        return []
    tail = int(params.get("tail") or (50 if step.action == "diagnose.service" else 200))
    since = parse_since(params["since"]) if params.get("since") else None
    pattern = grep_pattern(str(params.get("grep") or ""))
    lines = [f"last log lines of {service.name}"
             + (f" matching /{params['grep']}/" if pattern else "") + ":"]
    try:
        stream = source.open_logs(LogRequest(service.id, tail=tail, since=since,
                                             follow=False, tty=service.tty))
    except SourceError as exc:
        return [f"(logs unavailable: {exc.message})"]
    try:
        for stream_name, raw in stream:
            if cancel is not None and cancel.is_set():
                break
            text = parse_line(stream_name, raw).text
            if pattern is None or pattern.search(text):
                lines.append(("! " if stream_name == "stderr" else "  ") + clean(text))
    finally:
        stream.close()
    if len(lines) == 1:
        lines.append("  (no lines)")
    return lines


# Read actions the console answers by showing something (node.probe reaches nodes over
# SSH: it is previewed like a change).
LOOKS = frozenset({"view.service", "view.node", "view.logs", "view.alerts", "query.services",
                   "query.tasks", "diagnose.service"})
