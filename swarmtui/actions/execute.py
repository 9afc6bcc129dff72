"""Running a plan: validate against the live state, apply, verify, audit, remember for undo.

Blocking: callers run it in a worker thread. Steps run in order and the run
stops at the first failure, saying what ran and in what state the cluster is.
Before each mutation the object's current spec is kept so `undo` can put it
back (a removed service is re-created from it).
"""

from __future__ import annotations

import contextlib
import copy
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from swarmtui.actions.audit import AuditLog, redact_params
from swarmtui.actions.catalog import CATALOG, Risk, step_risk
from swarmtui.actions.plan import Plan, Step
from swarmtui.actions.ssh import PROBES, SSHError, SSHRunner
from swarmtui.actions.undo import UndoRecord, UndoStack, changed_paths
from swarmtui.actions.validate import check_step
from swarmtui.swarm.engine import EngineSource
from swarmtui.swarm.model import ClusterState, Health
from swarmtui.swarm.parse import build_state, parse_time
from swarmtui.swarm.secrets import OutputMasker, mask_sentence
from swarmtui.swarm.source import SourceError


def _message(response: Any) -> str:
    try:
        message = response.json().get("message", response.text)
    except ValueError:
        message = response.text
    return str(message).strip()


class StepFailed(Exception):
    """A step that could not be applied or verified; the message says why and where we are."""


@dataclass
class StepResult:
    step: Step
    ok: bool
    message: str
    seconds: float = 0.0
    output: str = ""  # what an SSH command printed


@dataclass
class RunResult:
    plan: Plan
    results: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and len(self.results) == len(self.plan.steps)

    @property
    def summary(self) -> str:
        done = [r for r in self.results if r.ok]
        failed = next((r for r in self.results if not r.ok), None)
        text = f"{len(done)}/{len(self.plan.steps)} steps done"
        if failed is not None:
            text += f"; stopped at {failed.step.action}: {failed.message}"
        return text


Progress = Callable[[Step, str], None]
Output = Callable[[Step, str], None]  # one line a remote command printed


FAILED_STATES = ("failed", "rejected", "orphaned")
SEQUENCE_TRIES = 3  # "update out of sequence": read again and retry, this many times in all
SETTLE_SECONDS = 3.0  # how long new replicas must keep running to count as started


class Executor:
    def __init__(self, source: EngineSource, *, audit: AuditLog | None = None,
                 undo: UndoStack | None = None, verify_timeout: float = 90.0,
                 poll: float = 0.5, ssh: SSHRunner | None = None) -> None:
        self.source = source
        self.ssh = ssh
        self.audit = audit if audit is not None else AuditLog()
        # `is not None`: an empty stack is falsy (it has a length) and must still be used
        self.undo_stack = undo if undo is not None else UndoStack()
        self.verify_timeout = verify_timeout
        self.poll = poll

    # -- the engine -------------------------------------------------------

    def state(self) -> ClusterState:
        raw = self.source.fetch()
        state = build_state(raw, 0, datetime.now(UTC))
        self.undo_stack.cluster = state.engine.cluster_id  # undo only what was done here
        return state

    def _remember(self, kind: str, target_id: str, name: str, spec: dict[str, Any],
                  description: str) -> None:
        after = None
        if kind in ("service-update", "node-update"):  # what this change left, to notice
            kind_path = "services" if kind == "service-update" else "nodes"  # later ones
            with contextlib.suppress(StepFailed, SourceError):
                after = self._call("GET", f"/{kind_path}/{target_id}").get("Spec")
        self.undo_stack.push(UndoRecord(kind, target_id, name, spec, description,
                                        self.undo_stack.cluster, after))

    def _changed_since(self, record: UndoRecord, current: dict[str, Any]) -> None:
        """Refuse to put a spec back over changes made after ours (by a colleague, the
        docker CLI or a stack deploy): they would be reverted without a word."""
        if record.after is None:
            return
        paths = changed_paths(record.after, current.get("Spec") or {})
        if paths:
            shown = ", ".join(paths[:4]) + (f" and {len(paths) - 4} more" if len(paths) > 4
                                            else "")
            raise StepFailed(f"{record.name} was changed after swarmtui's change ({shown}); "
                             "undoing it would revert those too — change it by hand")

    def _url(self, path: str) -> str:
        client = self.source.client
        return f"{client.base_url}/v{client.api_version}{path}"

    def _call(self, method: str, path: str, body: bool = False, **kwargs: Any) -> Any:
        """One request; the decoded answer of a GET (or, with `body`, of a write)."""
        client = self.source.client
        try:
            response = client.request(method, self._url(path), timeout=30, **kwargs)
        except SourceError:
            raise
        except Exception as exc:
            raise StepFailed(f"the engine did not answer: {exc}") from None
        if response.status_code >= 400:
            raise StepFailed(f"the engine refused: {_message(response)}")
        return response.json() if response.content and (method == "GET" or body) else None

    def _service(self, name: str) -> dict[str, Any]:
        return self._call("GET", f"/services/{name}")

    def _node(self, name: str) -> dict[str, Any]:
        state = self.state()
        node = state.node_named(name)
        if node is None:
            raise StepFailed(f"no node named {name!r}")
        return self._call("GET", f"/nodes/{node.id}")

    def _update_service(self, current: dict[str, Any], spec: dict[str, Any],
                        rollback: bool = False) -> None:
        params: dict[str, Any] = {"version": current["Version"]["Index"]}
        if rollback:
            params["rollback"] = "previous"
        self._call("POST", f"/services/{current['ID']}/update", params=params, json=spec)

    def _update_node(self, current: dict[str, Any], spec: dict[str, Any]) -> None:
        self._call("POST", f"/nodes/{current['ID']}/update",
                   params={"version": current["Version"]["Index"]}, json=spec)

    # -- running ----------------------------------------------------------

    def run(self, plan: Plan, *, origin: str = "sentence", confirmation: str = "",
            progress: Progress | None = None, cancel: threading.Event | None = None,
            output: Output | None = None) -> RunResult:
        result = RunResult(plan)
        for step in plan.steps:
            if cancel is not None and cancel.is_set():
                result.results.append(StepResult(step, False, "cancelled before it started"))
                break
            started = time.monotonic()
            try:
                state = self.state()
                check = check_step(step, state)
                if not check.ok:
                    raise StepFailed(f"refused: {check.problem}")
                if progress:
                    reads = CATALOG[step.action].risk is Risk.READ
                    progress(step, "reading" if reads else "applying")
                if step.action in ("node.probe", "ssh.run"):
                    # ssh.run only runs programs that look: nothing to undo, and no record
                    # that u would have to step over on its way to the last change
                    outcome = self._remote(step, state, started, output, cancel)
                elif CATALOG[step.action].risk is Risk.READ:
                    outcome = self._read(step, state, started, output, cancel)
                else:
                    message = self._apply(step, progress, cancel)
                    outcome = StepResult(step, True, message, time.monotonic() - started)
            except (StepFailed, SourceError, SSHError) as exc:
                text = exc.message if isinstance(exc, SourceError) else str(exc)
                outcome = StepResult(step, False, text, time.monotonic() - started)
            except KeyboardInterrupt:  # ctrl+c in `do`: the step may have reached the engine
                self._audit(plan, step, origin, confirmation, StepResult(
                    step, False, "interrupted: it may have been applied"))
                raise
            result.results.append(outcome)
            self._audit(plan, step, origin, confirmation, outcome)
            if progress:
                progress(step, "done" if outcome.ok else f"failed: {outcome.message}")
            if not outcome.ok:
                break
        return result

    def _audit(self, plan: Plan, step: Step, origin: str, confirmation: str,
               outcome: StepResult) -> None:
        self.audit.record(
            source=origin, sentence=plan.sentence, action=step.action,
            params=redact_params(step),
            plan=[{"action": s.action, "params": redact_params(s)} for s in plan.steps],
            confirmation=confirmation, ok=outcome.ok, result=outcome.message,
            risk=str(step_risk(step.action, step.params)) if step.action in CATALOG
            else None,
        )

    def _read(self, step: Step, state: ClusterState, started: float,
              output: Output | None, cancel: threading.Event | None) -> StepResult:
        """query.*, view.*, diagnose.service: the answer as lines, logs fetched with a GET."""
        from swarmtui.actions.read import answer, log_tail
        from swarmtui.config import ConfigError

        try:
            lines = answer(step, state)
        except ConfigError as exc:  # the user's rules file, for view.alerts
            raise StepFailed(str(exc)) from None
        if step.action in ("view.logs", "diagnose.service"):
            try:
                lines += log_tail(self.source, step, state, cancel)
            except ValueError as exc:
                raise StepFailed(str(exc)) from None
        for line in lines:
            if output:
                output(step, line)
        summary = lines[0] if lines else "nothing to show"
        if step.action.startswith("query."):
            # a table's rows only: the header and the indented reasons below it are not finds
            rows = sum(1 for line in lines[1:] if not line.startswith(" "))
            summary = f"{rows} found" if len(lines) > 1 else lines[0]
        return StepResult(step, True, summary, time.monotonic() - started, "\n".join(lines))

    def _remote(self, step: Step, state: ClusterState, started: float,
                output: Output | None, cancel: threading.Event | None) -> StepResult:
        """node.probe and ssh.run: fixed or argv-checked commands over SSH, never a shell."""
        if self.ssh is None:
            raise StepFailed("SSH to nodes is not configured")
        node = state.node_named(step.params["node"])
        if node is None:
            raise StepFailed(f"no node named {step.params['node']!r}")
        argv = (PROBES[step.params["probe"]] if step.action == "node.probe"
                else shlex.split(step.params["command"]))
        # A node's output can hold secrets (`docker service inspect` shows the environment):
        # masked before it reaches the jobs view, its saved logs or the audit.
        shown = OutputMasker()
        on_line = (lambda _stream, line: output(step, shown(line))) if output else None
        result = self.ssh.run(node, argv, on_line, cancel, terminal=step.action == "ssh.run")
        ok = result.exit_status == 0
        kept = OutputMasker()
        text = "\n".join(kept(line) for line in (result.stdout + result.stderr).split("\n"))
        if cancel is not None and cancel.is_set() and not ok:
            return StepResult(step, False, f"`{result.command}` on {node.name} was stopped "
                              "(cancelled)", time.monotonic() - started, text)
        message = f"`{result.command}` on {node.name} exited {result.exit_status}"
        if not ok and result.stderr.strip():
            message += f": {mask_sentence(result.stderr.strip().splitlines()[-1])}"
        return StepResult(step, ok, message, time.monotonic() - started, text)

    def _apply(self, step: Step, progress: Progress | None,
               cancel: threading.Event | None) -> str:
        action, params = step.action, step.params
        if action == "backup.create":
            from swarmtui.backup import create_backup
            from swarmtui.config import state_dir

            path = create_backup(self.source.client, state_dir() / "backups")
            return f"backup written to {path}"
        if action.startswith("service."):
            return self._apply_service(action, params, progress, cancel)
        if action.startswith("node.") and action != "node.probe":
            return self._apply_node(action, params, cancel)
        raise StepFailed(f"{action} cannot run here yet")

    def _apply_service(self, action: str, params: Any, progress: Progress | None,
                       cancel: threading.Event | None) -> str:
        current = self._service(params["service"])
        name = current["Spec"]["Name"]
        before = copy.deepcopy(current["Spec"])
        spec = copy.deepcopy(current["Spec"])
        container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
        # Compared by value, not against our clock: the engine's clock may differ.
        started = (current.get("UpdateStatus") or {}).get("StartedAt")
        if action == "service.remove":
            self._call("DELETE", f"/services/{current['ID']}")
            self._remember("service-create", current["ID"], name, before,
                           f"re-create {name}")
            self._wait(lambda s: s.service_named(name) is None, f"{name} to be removed", cancel)
            return f"removed {name} (undo re-creates it from its recorded spec)"
        if action == "service.rollback":
            self._update_service(current, spec, rollback=True)
            self._remember("service-update", current["ID"], name, before,
                           f"restore {name} as before the rollback")
            return self._verify_update(name, started, cancel, rollback=True)
        if action == "service.scale":
            spec["Mode"]["Replicated"]["Replicas"] = int(params["replicas"])
        elif action == "service.update_image":
            container["Image"] = params["image"]
        elif action == "service.restart":
            template = spec["TaskTemplate"]
            template["ForceUpdate"] = int(template.get("ForceUpdate", 0)) + 1
        elif action == "service.update_env":
            env = [e for e in container.get("Env") or []
                   if e.partition("=")[0] not in set(params.get("unset") or [])
                   and e.partition("=")[0] not in set(params.get("set") or {})]
            env += [f"{k}={v}" for k, v in (params.get("set") or {}).items()]
            container["Env"] = env
        self._update_service(current, spec)
        self._remember("service-update", current["ID"], name, before,
                       f"restore {name} as before {action}")
        if action == "service.scale":
            was = ((before.get("Mode") or {}).get("Replicated") or {}).get("Replicas") or 0
            return self._verify_scale(name, int(params["replicas"]), cancel,
                                      grew=int(params["replicas"]) > int(was))
        return self._verify_update(name, started, cancel)

    def _apply_node(self, action: str, params: Any, cancel: threading.Event | None) -> str:
        for attempt in range(1, SEQUENCE_TRIES + 1):
            current = self._node(params["node"])
            name = current.get("Description", {}).get("Hostname") or current["ID"][:12]
            before = copy.deepcopy(current["Spec"])
            spec = copy.deepcopy(current["Spec"])
            if action in ("node.drain", "node.pause", "node.activate"):
                spec["Availability"] = {"node.drain": "drain", "node.pause": "pause",
                                        "node.activate": "active"}[action]
            elif action in ("node.promote", "node.demote"):
                spec["Role"] = "manager" if action == "node.promote" else "worker"
            elif action == "node.label_add":
                spec.setdefault("Labels", {})[params["key"]] = str(params["value"])
            elif action == "node.label_remove":
                (spec.get("Labels") or {}).pop(params["key"], None)
            try:
                self._update_node(current, spec)
                break
            except StepFailed as exc:
                # The engine moved the node's version between our read and our write (its
                # status changes too): read it again and make the same change, as asked.
                if "out of sequence" not in str(exc) or attempt == SEQUENCE_TRIES:
                    raise
        self._remember("node-update", current["ID"], name, before,
                       f"restore node {name} as before {action}")
        return self._verify_node(action, current["ID"], name, spec, cancel)

    # -- verification -----------------------------------------------------

    def _wait(self, done: Callable[[ClusterState], bool], what: str,
              cancel: threading.Event | None) -> ClusterState:
        deadline = time.monotonic() + self.verify_timeout
        while True:
            state = self.state()
            if done(state):
                return state
            if time.monotonic() > deadline:
                raise StepFailed(f"applied, but {what} did not happen within "
                                 f"{self.verify_timeout:.0f}s")
            if cancel is not None and cancel.wait(self.poll):
                raise StepFailed(f"applied; stopped waiting for {what} (cancelled)")
            if cancel is None:
                time.sleep(self.poll)

    def _verify_scale(self, name: str, replicas: int, cancel: threading.Event | None,
                      grew: bool = False) -> str:
        def failed_tasks(state: ClusterState) -> set[str]:
            service = state.service_named(name)
            return {t.id for t in state.tasks_of(service.id) if t.state in FAILED_STATES} \
                if service else set()

        known = failed_tasks(self.state())  # failures from before: not this step's

        def reached(state: ClusterState) -> bool:
            service = state.service_named(name)
            return service is not None and service.counts.desired == replicas \
                and service.counts.running == replicas

        try:
            state = self._wait(reached, f"{name} reaching {replicas} running", cancel)
            if grew:  # a crash loop reaches the count between its failures: it must hold
                settle = time.monotonic() + SETTLE_SECONDS
                while time.monotonic() < settle and reached(state):
                    time.sleep(self.poll)
                    state = self.state()
                failed = failed_tasks(state) - known
                if failed or not reached(state):
                    raise StepFailed(f"{name} reached {replicas} running but did not hold "
                                     f"({len(failed)} tasks failed since)")
        except StepFailed as exc:
            state = self.state()
            service = state.service_named(name)
            errors = sorted({t.error for t in state.tasks_of(service.id) if t.error}) \
                if service else []
            counts = f"{service.counts} running" if service else "service gone"
            raise StepFailed(f"{exc}; now {counts}"
                             + (f"; task errors: {'; '.join(errors[:3])}" if errors else "")
                             ) from None
        return f"{name} runs {replicas}/{replicas}"

    def _verify_update(self, name: str, previous_start: str | None,
                       cancel: threading.Event | None, rollback: bool = False) -> str:
        previous = parse_time(previous_start)

        def settled(state: ClusterState) -> bool:
            service = state.service_named(name)
            if service is None:
                return False
            update = service.update_status
            if update is None or update.started_at == previous:
                # No rolling update (yet): converge on the counts.
                return update is None and service.counts.running == service.counts.desired
            if update.state in ("paused", "rollback_paused"):
                raise StepFailed(f"the update paused: {update.message or update.state}; "
                                 f"{name} is {service.health} ({service.counts})")
            if update.state == "rollback_completed" and not rollback:
                raise StepFailed(f"the update failed and was rolled back: {update.message}")
            return update.state in ("completed", "rollback_completed")

        time.sleep(1.0)  # the orchestrator records the update's start asynchronously
        state = self._wait(settled, f"{name}'s update to complete", cancel)
        service = state.service_named(name)
        health = f" ({service.counts}, {service.health})" if service else ""
        if service is not None and service.health in (Health.FAILING, Health.DEGRADED):
            return f"{name} updated, but it is {service.health}{health}"
        return f"{name} updated{health}"

    def _verify_node(self, action: str, node_id: str, name: str, spec: dict[str, Any],
                     cancel: threading.Event | None) -> str:
        def applied(state: ClusterState) -> bool:
            node = state.node(node_id)  # by ID: its hostname may be another node's too
            if node is None:
                return False
            if node.availability != spec["Availability"] or node.role != spec["Role"]:
                return False
            if dict(node.labels) != dict(spec.get("Labels") or {}):
                return False
            if action == "node.promote":  # a member of the raft group, not just a role
                return node.reachability == "reachable"
            if action == "node.demote":
                return node.reachability is None
            if action == "node.drain":  # its tasks must have stopped there, not only
                return not any(t.state == "running"  # been told to
                               for t in state.tasks_on(node.id))
            return True

        self._wait(applied, f"{name} to be {action.split('.')[1]}ed", cancel)
        return f"{name}: {action.split('.')[1]} done"

    # -- restore ----------------------------------------------------------

    def restore(self, items: list[Any], *, origin: str = "restore", sentence: str = "",
                confirmation: str = "", progress: Callable[[str], None] | None = None
                ) -> list[tuple[str, bool, str]]:
        """Create missing services and update changed ones from a backup's specs.

        Each service is one audited step with an undo record; it stops at the first
        failure. Returns (name, ok, message) for each service it touched.
        """
        done: list[tuple[str, bool, str]] = []
        try:
            self.state()  # which cluster the undo records belong to
        except SourceError as exc:
            return [("(cluster)", False, f"cannot read the cluster: {exc.message}; "
                     "nothing changed")]
        for item in items:
            if item.kind == "same":
                continue
            try:
                if item.kind == "create":
                    answer = self._call("POST", "/services/create", body=True,
                                        json=copy.deepcopy(item.spec))
                    self._remember("service-remove", (answer or {}).get("ID", ""),
                                   item.name, copy.deepcopy(item.spec),
                                   f"remove {item.name}, re-created by restore")
                    message = f"re-created {item.name}"
                else:
                    current = self._service(item.name)
                    self._update_service(current, copy.deepcopy(item.spec))
                    self._remember("service-update", current["ID"], item.name,
                                   copy.deepcopy(current["Spec"]),
                                   f"restore {item.name} as before the backup was applied")
                    message = f"updated {item.name} to its backed-up spec"
                ok = True
            except (StepFailed, SourceError) as exc:
                ok = False
                message = exc.message if isinstance(exc, SourceError) else str(exc)
            self.audit.record(source=origin, sentence=sentence, action=f"restore.{item.kind}",
                              target=item.name, confirmation=confirmation, ok=ok,
                              result=message,
                              changes=len(item.changes) if item.kind == "update" else None)
            done.append((item.name, ok, message))
            if progress:
                progress(message)
            if not ok:
                break
        return done

    # -- undo -------------------------------------------------------------

    def next_undo(self) -> UndoRecord | None:
        """What `undo` would take back now (to preview it), or None."""
        if not self.undo_stack.cluster:  # a fresh console or `do`: whose records are ours?
            try:
                self.state()
            except SourceError as exc:
                raise StepFailed(f"cannot undo: {exc.message}") from None
        return self.undo_stack.peek()

    def undo(self, *, origin: str = "key", expect: UndoRecord | None = None) -> str:
        """Take back the last change; with `expect`, only if it is still that one."""
        self.next_undo()
        record = self.undo_stack.pop()
        if record is None:
            raise StepFailed("nothing to undo")
        if expect is not None and record != expect:
            self.undo_stack.push(record)
            raise StepFailed("the last change is no longer the one previewed; nothing was "
                             "changed — press u again")
        if record.kind == "irreversible":
            message = (f"{record.description} cannot be undone: Docker keeps no record of "
                       "what it changed on the node; press u again to undo the change "
                       "before it")
            self.audit.record(source=origin, action="undo", target=record.name, ok=False,
                              result=message)
            raise StepFailed(message)
        try:
            if record.kind == "service-create":
                spec = copy.deepcopy(record.spec)
                self._call("POST", "/services/create", json=spec)
                message = f"re-created {record.name} from its recorded spec"
            elif record.kind == "service-remove":
                self._call("DELETE", f"/services/{record.target_id}")
                message = f"removed {record.name} again"
            elif record.kind == "service-update":
                current = self._service(record.target_id)
                self._changed_since(record, current)
                self._update_service(current, copy.deepcopy(record.spec))
                message = f"restored {record.name}'s previous spec"
            else:
                current = self._call("GET", f"/nodes/{record.target_id}")
                self._changed_since(record, current)
                self._update_node(current, copy.deepcopy(record.spec))
                message = f"restored node {record.name}"
        except (StepFailed, SourceError) as exc:
            self.undo_stack.push(record)  # still there for the next try
            text = exc.message if isinstance(exc, SourceError) else str(exc)
            self.audit.record(source=origin, action="undo", target=record.name, ok=False,
                              result=text)
            raise StepFailed(f"could not undo ({record.description}): {text}; "
                             "nothing was changed") from None
        self.audit.record(source=origin, action="undo", target=record.name, ok=True,
                          result=message)
        return message
