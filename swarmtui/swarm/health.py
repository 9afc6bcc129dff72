"""A service's health class and the one line that explains it."""

from __future__ import annotations

from datetime import datetime, timedelta

from swarmtui.swarm.model import Health, ReplicaCounts, ServiceMode, Task, UpdateStatus

CRASH_WINDOW = timedelta(minutes=5)
CRASH_MIN_FAILURES = 2
FAILED_STATES = frozenset({"failed", "rejected"})


def recent_failures(tasks: list[Task], now: datetime | None) -> list[Task]:
    """Failed tasks inside the crash window, newest first."""
    failed = [t for t in tasks if t.state in FAILED_STATES]
    if now is not None:
        failed = [t for t in failed if t.timestamp is None or now - t.timestamp <= CRASH_WINDOW]
    return sorted(failed, key=lambda t: t.timestamp or datetime.min, reverse=True)


def _describe_failures(failed: list[Task]) -> str:
    newest = failed[0]
    exit_codes = sorted({t.exit_code for t in failed if t.exit_code})
    parts = [f"{len(failed)} failed in {int(CRASH_WINDOW.total_seconds() // 60)}m"]
    if exit_codes:
        parts.append("exit " + ",".join(str(c) for c in exit_codes))
    if newest.error:
        parts.append(newest.error)
    return "crash loop: " + "; ".join(parts)


def _update_health(update: UpdateStatus | None) -> tuple[Health, str] | None:
    """Paused and rolled-back updates outrank everything: a deploy went wrong (C-08)."""
    if update is None:
        return None
    reason = update.message or update.label
    if update.state == "paused":
        return Health.UPDATE_PAUSED, reason
    if update.state.startswith("rollback"):
        return Health.ROLLBACK, f"{update.label}: {update.message}" if update.message else reason
    return None


def classify(
    mode: ServiceMode,
    counts: ReplicaCounts,
    update: UpdateStatus | None,
    tasks: list[Task],
    now: datetime | None = None,
) -> tuple[Health, str]:
    by_update = _update_health(update)
    if by_update is not None:
        return by_update
    if mode is ServiceMode.UNKNOWN:
        return Health.UNKNOWN, "a service mode swarmtui does not know; see the detail view"
    failures = recent_failures(tasks, now)
    short = counts.running < counts.desired
    if mode.is_job:
        total = counts.total_completions or 0
        if total and counts.completed >= total:
            return Health.COMPLETED, f"{counts.completed}/{total} completed"
        if counts.running == 0 and len(failures) >= CRASH_MIN_FAILURES:
            return Health.FAILING, _describe_failures(failures)
        return Health.OK, f"job running, {counts.completed}/{total} completed"
    if short and len(failures) >= CRASH_MIN_FAILURES:
        return Health.FAILING, _describe_failures(failures)
    pending = [t for t in tasks if t.desired_state == "running" and t.state == "pending"]
    if short and pending:
        return Health.PENDING, "pending – " + (pending[0].error or pending[0].message or "waiting")
    if update is not None and update.state == "updating":
        since = f" since {update.started_at:%H:%M:%S}" if update.started_at else ""
        return Health.UPDATING, f"updating{since}"
    if short:
        reason = f"{counts.running}/{counts.desired} running"
        if counts.on_down_nodes:
            plural = "s" if counts.on_down_nodes > 1 else ""
            reason += f" ({counts.on_down_nodes} task{plural} on a down node)"
        return Health.DEGRADED, reason
    if update is not None and update.state == "completed" and counts.desired == 0:
        return Health.OK, "updated, scaled to 0"
    return Health.OK, ""
