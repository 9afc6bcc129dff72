"""The console application: owns the watcher and the current state, renders nothing itself.

Screens (dashboard, details, logs, wall) read `app.state` and `app.alerts`;
the app tells the screen on top when they change. Screens underneath catch
up when they are shown again, so hidden views cost nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message

from swarmtui.actions.jobs import Job, JobBoard
from swarmtui.actions.read import LOOKS
from swarmtui.actions.validate import first_problem
from swarmtui.alerts.model import Alert, AlertBook, Finding
from swarmtui.alerts.rules import RuleEngine
from swarmtui.config import ConfigError, Settings
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.model import ClusterState, Connection
from swarmtui.swarm.source import Source
from swarmtui.swarm.watcher import ClusterWatcher, ConnectionStatus
from swarmtui.ui.keymap import BindingInfo, keymap_path, load_keymap
from swarmtui.ui.palette import JumpCommands, ThemeCommands
from swarmtui.ui.themes import DEFAULT_PALETTE, VARIABLE_DEFAULTS, Palette, load_theme, theme_files


class StateUpdated(Message):
    def __init__(self, state: ClusterState) -> None:
        super().__init__()
        self.state = state


class StatusChanged(Message):
    def __init__(self, status: ConnectionStatus) -> None:
        super().__init__()
        self.status = status


class ClusterChanged(Message):
    """Sent to the screen on top: state and alerts changed, or only the connection."""

    def __init__(self, status_only: bool = False) -> None:
        super().__init__()
        self.status_only = status_only


class SwarmApp(App[None]):
    TITLE = "swarmtui"
    COMMANDS = App.COMMANDS | {JumpCommands, ThemeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("u", "undo", "Undo", id="undo", show=False),
        Binding("J", "jobs", "Jobs", id="jobs", show=False),
        Binding("H", "alert_history", "Alert history", id="alert-history", show=False),
    ]

    def __init__(
        self,
        source: Source,
        *,
        settings: Settings | None = None,
        mode: str = "live",
        wall: bool = False,
        rules: dict[str, Any] | None = None,
        autopilot: Any = None,
    ) -> None:
        self.settings = settings or Settings()
        super().__init__()
        self.source = source
        self.mode = mode
        self.wall = wall
        self.readonly = wall or self.settings.readonly or mode in ("demo", "snapshot")
        self.state: ClusterState | None = None
        self.status = ConnectionStatus(Connection.CONNECTING, source.description)
        self.alert_book = AlertBook()
        self.rules = RuleEngine(rules) if rules is not None else RuleEngine()
        self.external_alerts: list[Alert] = []  # from Alertmanager, merged into the pane
        self.alertmanager_silences: dict[tuple[str, str, str], str] = {}  # made here: IDs
        self.alertmanager_silence_info: dict[str, Any] = {}  # ID → alertmanager.Silence
        self.autopilot = autopilot
        self.probe_findings: list[Finding] = []  # from SSH probes, refreshed on an interval
        self.alerts: list[Alert] = []
        self.events: deque[Mapping[str, Any]] = deque(maxlen=200)
        self.palette = DEFAULT_PALETTE
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.keymap: dict[str, str] = {}
        self.jobs = JobBoard()
        self.watcher = ClusterWatcher(
            source,
            on_state=lambda state: self.post_message(StateUpdated(state)),
            on_status=lambda status: self.post_message(StatusChanged(status)),
            on_event=self.events.append,
            poll_interval=self.settings.poll_interval,
        )
        self.load_themes()
        if self.settings.theme not in self.available_themes:
            known = ", ".join(sorted(t for t in self.available_themes if t.startswith("swarmtui")))
            raise ConfigError(f"{self.settings.origin('theme')}: no theme named "
                              f"{self.settings.theme!r} (bundled: {known})")
        try:
            self.apply_keymap(self.settings.keymap)
        except ConfigError as exc:
            if str(exc).startswith("no keymap named"):  # say where the name came from
                raise ConfigError(f"{self.settings.origin('keymap')}: {exc}") from None
            raise

    # -- start-up ---------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def load_themes(self) -> None:
        self.theme_names: list[str] = []
        for path in theme_files():
            theme = load_theme(path)
            self.register_theme(theme)
            self.theme_names.append(theme.name)

    def apply_keymap(self, name: str) -> None:
        from swarmtui.ui.help import binding_registry_for_app

        registry: dict[str, BindingInfo] = binding_registry_for_app()
        self.keymap = load_keymap(keymap_path(name), registry)
        self.set_keymap(self.keymap)

    def on_mount(self) -> None:
        from swarmtui.ui.dashboard import DashboardScreen
        from swarmtui.ui.wall import WallScreen

        self.theme = self.settings.theme
        self._update_palette()
        self.push_screen(WallScreen() if self.wall else DashboardScreen())
        self.run_worker(self.watcher.run(), name="watcher", group="watcher", exclusive=True,
                        exit_on_error=False)
        from swarmtui.config import ssh_configured

        if ssh_configured(self.settings) and self.mode not in ("demo", "snapshot"):
            self.run_worker(self.follow_probes(), name="probes", group="probes",
                            exclusive=True, exit_on_error=False)
        if self.settings.alertmanager_url:
            self.run_worker(self.follow_alertmanager(), name="alertmanager",
                            group="alertmanager", exclusive=True, exit_on_error=False)

    async def follow_probes(self) -> None:
        """Disk, memory and load of every node over SSH, on the rules' interval."""
        import asyncio

        from swarmtui.actions.ssh import SSHRunner
        from swarmtui.alerts.probes import probe_findings
        from swarmtui.alerts.rules import PROBE_RULES
        from swarmtui.config import ssh_settings

        rules = self.rules.rules
        if not any(rules[r].enabled for r in PROBE_RULES):
            return
        interval = min(rules[r].params["interval"] for r in PROBE_RULES if rules[r].enabled)
        runner = SSHRunner(ssh_settings(self.settings))
        said: list[str] = []
        try:
            while True:
                if self.state is not None:
                    found, problems = await asyncio.to_thread(
                        probe_findings, self.state, runner, rules)
                    if problems and problems != said:
                        self.notify("not probed: " + "; ".join(problems)[:500],
                                    title="SSH probes", severity="warning", timeout=10)
                    said = problems
                    if found != self.probe_findings:
                        self.probe_findings = found
                        self.evaluate_alerts()
                        self.screen.post_message(ClusterChanged())
                await asyncio.sleep(interval if self.state is not None else 2.0)
        finally:
            runner.close()

    async def follow_alertmanager(self) -> None:
        """Poll Alertmanager's active alerts (and push ours, if asked) on an interval."""
        import asyncio
        import contextlib

        from swarmtui.alerts.alertmanager import (
            AlertmanagerError,
            fetch_alerts,
            fetch_silences,
            push_alerts,
        )
        from swarmtui.alerts.model import Severity
        from swarmtui.swarm.secrets import mask_text

        url = str(self.settings.alertmanager_url)
        while True:
            try:
                theirs = await asyncio.to_thread(fetch_alerts, url)
                if any(a.silenced_by for a in theirs):  # who silenced them, until when
                    # unreadable: the alerts still show as silenced, by "someone"
                    with contextlib.suppress(AlertmanagerError):
                        self.alertmanager_silence_info = await asyncio.to_thread(
                            fetch_silences, url)
                if self.settings.alertmanager_push:
                    ours = [a for a in self.alerts if a.origin == "swarmtui"]
                    await asyncio.to_thread(push_alerts, url, ours, self.now(),
                                            self.settings.alertmanager_interval * 4)
            except Exception as exc:  # whatever the answer, the polling goes on
                message = str(exc) if isinstance(exc, AlertmanagerError) \
                    else f"{mask_text(url)}: {type(exc).__name__}"
                theirs = [Alert("alertmanager-unreachable", mask_text(url), Severity.WARNING,
                                message, origin="alertmanager", first_seen=self.now())]
            if theirs != self.external_alerts:
                self.external_alerts = theirs
                self.evaluate_alerts()
                self.screen.post_message(ClusterChanged())
            await asyncio.sleep(self.settings.alertmanager_interval)

    def watch_theme(self, _old: str, _new: str) -> None:
        self._update_palette()

    def _update_palette(self) -> None:
        variables = self.theme_variables
        self.palette = Palette.from_variables(variables) if variables else DEFAULT_PALETTE
        if self.screen_stack:
            self.screen.post_message(ClusterChanged())

    # -- shutting down ----------------------------------------------------

    async def on_unmount(self) -> None:
        await self.shutdown_watcher()

    async def shutdown_watcher(self) -> None:
        await self.watcher.stop()
        self.source.close()

    async def action_quit(self) -> None:
        await self.shutdown_watcher()
        self.exit()

    def action_help(self) -> None:
        from swarmtui.ui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- state ------------------------------------------------------------

    def on_state_updated(self, message: StateUpdated) -> None:
        self.state = message.state
        self.remember_alerts(message.state)
        self.evaluate_alerts()
        self.screen.post_message(ClusterChanged())
        if self.autopilot is not None:
            self.run_autopilot(message.state)

    def remember_alerts(self, state: ClusterState) -> None:
        """Acks, silences and resolved alerts of a live swarm outlive the console."""
        import re

        from swarmtui.config import state_dir

        cluster = re.sub(r"[^A-Za-z0-9]", "", state.engine.cluster_id)[:32]
        if self.alert_book.path is not None or not self.source.is_live or not cluster:
            return
        problem = self.alert_book.attach(state_dir() / f"alerts-{cluster}.json")
        if problem:
            self.notify(problem, severity="warning", timeout=10)

    def silence_alert(self, key: tuple[str, str, str], until: datetime) -> str:
        """Hide an alert here until `until`; one of Alertmanager's is silenced there too.

        Returns what to tell the operator. In read-only mode Alertmanager is not
        written to: the silence is this console's only, and it says so.
        """
        self.alert_book.silence(key, until)
        self.evaluate_alerts()
        shown = until.astimezone().strftime("%H:%M")
        alert = next((a for a in self.external_alerts if a.key == key), None)
        url = self.settings.alertmanager_url
        if alert is None or not url or key[0] != "alertmanager":
            return f"silenced until {shown}"
        if self.readonly:
            return f"silenced here until {shown} — read-only: Alertmanager is not changed"
        self.run_worker(lambda: self._silence_in_alertmanager(url, alert, until), thread=True,
                        group="alertmanager-silences", exit_on_error=False)
        return f"silenced until {shown}; asking Alertmanager to silence it too"

    def _silence_in_alertmanager(self, url: str, alert: Alert, until: datetime) -> None:
        import getpass

        from swarmtui.alerts.alertmanager import create_silence

        try:
            silence = create_silence(url, alert, self.now(), until, getpass.getuser())
        except Exception as exc:
            self.call_from_thread(self.notify, f"Alertmanager silence not created: {exc} — "
                                  "silenced in this console only", severity="warning",
                                  timeout=10)
            return
        self.alertmanager_silences[alert.key] = silence
        self.call_from_thread(self.notify, f"silenced in Alertmanager too ({silence[:8]})",
                              timeout=5)

    def silence_of(self, alert: Alert) -> tuple[datetime | None, str] | None:
        """Is `alert` silenced, until when and by whom ("" for this console's own)?"""
        until = self.alert_book.silenced_until(alert.key)
        if until is not None:
            return until, ""
        if alert.silenced_by:
            known = [self.alertmanager_silence_info[i] for i in alert.silenced_by
                     if i in self.alertmanager_silence_info]
            ends = [s.ends for s in known if s.ends is not None]
            who = ", ".join(sorted({s.created_by for s in known})) or "someone"
            return (max(ends) if ends else None), f"{who} in Alertmanager"
        return None

    def lift_silence(self, key: tuple[str, str, str]) -> str | None:
        """End an alert's silence here, and in Alertmanager where a swarmtui console made
        it. Returns what to tell the operator, or None when the alert is not silenced."""
        from swarmtui.alerts.alertmanager import expire_silence

        alert = next((a for a in self.external_alerts if a.key == key), None)
        held_there = list(alert.silenced_by) if alert is not None else []
        made_here = self.alertmanager_silences.pop(key, None)
        if made_here is not None and made_here not in held_there:
            held_there.append(made_here)
        lifted_here = self.alert_book.unsilence(key)
        if not lifted_here and not held_there:
            return None
        ours = [i for i in held_there if i == made_here or (
            i in self.alertmanager_silence_info and self.alertmanager_silence_info[i].ours)]
        theirs = [i for i in held_there if i not in ours]
        url = self.settings.alertmanager_url
        said = []
        if ours and url and not self.readonly:
            def expire() -> None:
                for silence in ours:
                    try:
                        expire_silence(url, silence)
                    except Exception as exc:
                        self.call_from_thread(self.notify, f"Alertmanager silence "
                                              f"{silence[:8]} not expired: {exc}",
                                              severity="warning", timeout=10)

            self.run_worker(expire, thread=True, group="alertmanager-silences",
                            exit_on_error=False)
            said.append("its silence in Alertmanager is being expired")
        elif ours:
            said.append("read-only: its silence in Alertmanager stays")
        if theirs:
            who = ", ".join(sorted({self.alertmanager_silence_info[i].created_by
                                    for i in theirs if i in self.alertmanager_silence_info}))
            said.append(f"silenced in Alertmanager by {who or 'someone else'}: lift it there")
        self.evaluate_alerts()
        return ("silence lifted" if lifted_here or (ours and not self.readonly)
                else "not lifted") + ("; " + "; ".join(said) if said else "")

    def action_alert_history(self) -> None:
        from swarmtui.ui.alerts_screen import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen())

    def run_autopilot(self, state: ClusterState) -> None:
        """Remedies due under the policy: each a job, announced, through the executor."""
        from swarmtui.autopilot import carry_out

        if self.readonly:  # also refused at start; this is the second lock
            return
        for decision in self.autopilot.decide(self.alerts, state, state.fetched_at):
            steps = tuple(s.action for s in decision.plan.steps)
            job = self.jobs.start(decision.plan.sentence, "autopilot", steps, self.now())

            def announce(line: str, job: Job = job) -> None:
                job.write(line)
                self.call_from_thread(self.notify, line, title="autopilot", timeout=10)

            def work(decision: Any = decision, job: Job = job,
                     announce: Any = announce) -> None:
                try:
                    ok = carry_out(decision, self.executor(), self.autopilot.policy.dry_run,
                                   announce)
                except Exception as exc:
                    job.finish(False, f"autopilot could not act: {exc}", self.now())
                    self.call_from_thread(self.notify, f"autopilot could not act: {exc}",
                                          severity="error")
                    return
                job.finish(ok, "done" if ok else "failed", self.now())
                self.watcher.refresh_soon()

            self.run_worker(work, thread=True, group="plans", exit_on_error=False,
                            name=f"autopilot: {decision.remedy} {decision.subject}")

    def evaluate_alerts(self, extra: list[Finding] | None = None) -> None:
        """Rules over the latest state (a recording is judged at its capture time)."""
        state = self.state
        extra = list(extra or []) + self.probe_findings
        if self.status.kind == "no-leader":
            extra.append(self.rules.lost_quorum(self.status.message))
        if state is None and not extra:
            self.alerts = list(self.external_alerts)
            return
        now = state.fetched_at if state is not None and self.status.kind != "no-leader" \
            else self.now()
        findings = self.rules.evaluate(state, now, extra) if state is not None else extra
        own = self.alert_book.update(findings, now)
        theirs = [a for a in self.external_alerts  # live, even beside a recording
                  if not a.silenced_by and not self.alert_book.is_silenced(a.key, self.now())]
        self.alerts = sorted(own + theirs, key=lambda a: (-a.severity, a.first_seen or now))

    def on_status_changed(self, message: StatusChanged) -> None:
        before = self.status.kind
        self.status = message.status
        if message.status.kind != before:  # quorum lost or back: the alerts change too
            self.evaluate_alerts()
            self.screen.post_message(ClusterChanged())
            return
        self.screen.post_message(ClusterChanged(status_only=True))

    # -- plans ------------------------------------------------------------

    def propose(self, sentence: str, origin: str = "sentence") -> None:
        """Translate, preview, and on confirmation run a plan; the UI never calls Docker."""
        from swarmtui.nl.llm import translator_for
        from swarmtui.nl.offline import OfflineTranslator

        if self.state is None:
            self.notify("no cluster state yet", severity="warning")
            return
        state = self.state
        llm = translator_for(self.settings)
        if llm is not None:
            async def ask_llm() -> None:
                result = await llm.translate(sentence, state)
                if result.notice:
                    self.notify(result.notice, severity="warning", timeout=6)
                self._preview(result.plan, origin="llm" if result.plan.source == "llm"
                              else origin)
            self.run_worker(ask_llm(), group="llm", exclusive=True, exit_on_error=False)
            return
        self._preview(OfflineTranslator().translate(sentence, state), origin)

    def _preview(self, plan: Any, origin: str) -> None:
        from swarmtui.actions.catalog import CATALOG, Risk
        from swarmtui.actions.preview import preview
        from swarmtui.ui.plan_screen import PlanScreen

        sentence = plan.sentence
        if self.state is None:
            return
        if plan.asks_back:
            self.notify(f"? {plan.clarify}", title="I need to ask", timeout=10)
            return
        if plan.steps and all(s.action in LOOKS for s in plan.steps) and \
                first_problem(plan, self.state) is None:
            self._look(plan, origin)  # reading changes nothing: no preview, no confirmation
            return
        changes = [s for s in plan.steps if s.action in CATALOG and
                   CATALOG[s.action].risk is not Risk.READ]
        if changes and self.readonly:
            self.refuse_in_readonly(f"{changes[0].action} ({plan.sentence})")
            return
        previews = preview(plan, self.state)

        def decided(confirmation: str | None, shown: list[Any] = previews) -> None:
            if confirmation is None:
                self.notify("cancelled; nothing ran", timeout=2)
                return
            fresh = preview(plan, self.state) if self.state is not None else shown
            moved = [(a.change, b.change) for a, b in zip(shown, fresh, strict=True)
                     if (a.change, a.problem) != (b.change, b.problem)]
            if moved:  # what was confirmed is not what would run: look again
                before, now = moved[0]
                self.notify(f"the cluster changed while the preview was open ({before or '—'}"
                            f" is now {now or '—'}); nothing ran — look again",
                            severity="warning", timeout=8)
                self.push_screen(PlanScreen(plan, fresh, self.readonly),
                                 lambda answer: decided(answer, fresh))
                return
            if not self.refuse_in_readonly("running a plan"):
                job = self.jobs.start(sentence or origin, origin,
                                      tuple(s.action for s in plan.steps), self.now(),
                                      remote=any(s.action in ("ssh.run", "node.probe")
                                                 for s in plan.steps))
                self.screen.post_message(ClusterChanged(status_only=True))  # "1 job running"
                if job.remote:  # its output streams into the jobs view
                    self.action_jobs(job.number)
                self.run_worker(lambda: self._execute(plan, origin, confirmation, job),
                                thread=True, group="plans", exclusive=False,
                                exit_on_error=False, name=f"plan: {sentence}")

        self.push_screen(PlanScreen(plan, previews, self.readonly), decided)

    def _look(self, plan: Any, origin: str) -> None:
        """A read-only plan: one view opens where it is (details, logs, alerts, a
        diagnosis); queries and several reads answer in the jobs view."""
        state = self.state
        step = plan.steps[0]
        if len(plan.steps) == 1 and state is not None:
            params = step.params
            service = state.service_named(params.get("service", ""))
            if step.action == "view.logs" and service is not None:
                from swarmtui.ui.logs_screen import LogScreen

                self.push_screen(LogScreen(service.id, grep=str(params.get("grep") or ""),
                                           since=params.get("since"), tail=params.get("tail")))
                return
            if step.action == "view.service" and service is not None:
                from swarmtui.ui.detail import ServiceDetailScreen

                self.push_screen(ServiceDetailScreen(service.id))
                return
            node = state.node_named(params.get("node", ""))
            if step.action == "view.node" and node is not None:
                from swarmtui.ui.detail import NodeDetailScreen

                self.push_screen(NodeDetailScreen(node.id))
                return
            if step.action == "view.alerts":
                self.action_alert_history()
                return
            alert = next((a for a in self.alerts if service is not None and
                          a.subject == service.name and a.origin == "swarmtui"), None)
            if step.action == "diagnose.service" and alert is not None:
                from swarmtui.ui.diagnosis import DiagnosisScreen

                self.push_screen(DiagnosisScreen(alert.key))
                return
        job = self.jobs.start(plan.sentence or step.action, origin,
                              tuple(s.action for s in plan.steps), self.now(), remote=True)
        self.action_jobs(job.number)
        if not self.source.is_live or state is None:  # a recording: the answer, without logs
            from swarmtui.actions.read import answer, log_tail

            for each in plan.steps:
                lines = answer(each, state) if state is not None else []
                if each.action in ("view.logs", "diagnose.service") and state is not None:
                    lines += log_tail(self.source, each, state)
                for line in lines:
                    job.write(line)
            job.finish(True, "answered from the recording", self.now())
            return
        self.run_worker(lambda: self._execute(plan, origin, "(read)", job), thread=True,
                        group="plans", exclusive=False, exit_on_error=False,
                        name=f"read: {plan.sentence}")

    def executor(self) -> Any:
        from swarmtui.actions.execute import Executor
        from swarmtui.actions.ssh import SSHRunner
        from swarmtui.actions.undo import UndoStack
        from swarmtui.actions.undo import default_path as undo_path
        from swarmtui.config import ssh_settings
        from swarmtui.swarm.engine import EngineSource

        if getattr(self, "_executor", None) is None:
            source = self.source
            if not isinstance(source, EngineSource):
                raise RuntimeError("a recording cannot be changed")
            # Its own client: the watcher's is busy in another thread.
            own = EngineSource(source.base_url, tls=source._tls, readonly=self.readonly,
                               description=source.description)
            own.connect()
            self._executor = Executor(own, ssh=SSHRunner(ssh_settings(self.settings)),
                                      undo=UndoStack(undo_path()))
        return self._executor

    def _execute(self, plan: Any, origin: str, confirmation: str, job: Job) -> None:
        """In a worker thread: run, and report through the job and notifications."""
        from swarmtui.actions.catalog import CATALOG, Risk

        try:
            executor = self.executor()
        except Exception as exc:  # connection trouble is reported, not raised
            job.finish(False, f"cannot run: {exc}", self.now())
            self.call_from_thread(self.notify, f"cannot run: {exc}", severity="error")
            return

        def progress(step: Any, what: str) -> None:
            job.current = f"{step.action}: {what}"
            job.write(job.current)
            if not job.remote:
                self.call_from_thread(self.notify, job.current, timeout=3)

        def output(step: Any, line: str) -> None:
            job.write(f"  {line}")

        try:
            result = executor.run(plan, origin=origin, confirmation=confirmation,
                                  progress=progress, cancel=job.cancel, output=output)
        except Exception as exc:  # a bug must not leave a job "running" forever
            job.finish(False, f"stopped: {exc}", self.now())
            self.call_from_thread(self.notify, f"job {job.number} stopped: {exc}",
                                  severity="error")
            return
        for outcome in result.results:
            job.write(f"{'✓' if outcome.ok else '✗'} {outcome.step.action}: {outcome.message}")
        job.finish(result.ok, result.summary, self.now())
        self.call_from_thread(
            self.notify, result.summary + ("" if result.ok or not any(
                r.ok and CATALOG[r.step.action].risk is not Risk.READ
                and r.step.action != "ssh.run" for r in result.results)
                else " — press u to undo what ran"),
            title=f"job {job.number}", severity="information" if result.ok else "error",
            timeout=8)
        self.watcher.refresh_soon()

    def action_jobs(self, select: int | None = None) -> None:
        from swarmtui.ui.jobs_screen import JobsScreen

        if isinstance(self.screen, JobsScreen):
            return
        self.push_screen(JobsScreen(select))

    def action_undo(self) -> None:
        """Preview what the last change's undo does, and do it on confirmation."""
        if self.refuse_in_readonly("undo"):
            return

        def look() -> None:  # in a thread: finding our cluster's records may ask the engine
            try:
                executor = self.executor()
                record = executor.next_undo()
                if record is not None and record.kind == "irreversible":
                    executor.undo(origin="key", expect=record)  # says so, and moves past it
            except Exception as exc:
                self.call_from_thread(self.notify, f"undo: {exc}", severity="warning",
                                      timeout=8)
                return
            if record is None:
                self.call_from_thread(self.notify, "undo: nothing to undo", timeout=3)
                return
            self.call_from_thread(self._preview_undo, record)

        self.run_worker(look, thread=True, group="plans", exit_on_error=False,
                        name="undo: look")

    def _preview_undo(self, record: Any) -> None:
        from swarmtui.actions.catalog import Risk
        from swarmtui.actions.plan import Plan, Step
        from swarmtui.actions.preview import StepPreview
        from swarmtui.actions.undo import describe_undo
        from swarmtui.ui.plan_screen import PlanScreen

        state = self.state
        current: Any = None
        if state is not None and record.kind.startswith("service"):
            service = state.service_named(record.name)
            current = dict(service.spec) if service is not None else None
        elif state is not None and (node := state.node_named(record.name)) is not None:
            current = {"Availability": node.availability, "Role": node.role,
                       "Labels": dict(node.labels)}
        summary, command, change = describe_undo(record, current)
        destructive = record.kind == "service-remove"
        step = Step("undo", {"service": record.name} if destructive else {})
        preview = StepPreview(step, Risk.DESTRUCTIVE if destructive else Risk.HIGH,
                              f"undo: {summary}", command, change, None)

        def decided(confirmation: str | None) -> None:
            if confirmation is None:
                self.notify("undo cancelled; nothing changed", timeout=2)
                return
            job = self.jobs.start(f"undo: {summary}", "key", ("undo",), self.now())

            def work() -> None:
                try:
                    message = self.executor().undo(origin="key", expect=record)
                except Exception as exc:
                    job.finish(False, str(exc), self.now())
                    self.call_from_thread(self.notify, f"undo: {exc}", severity="warning")
                    return
                job.finish(True, message, self.now())
                self.call_from_thread(self.notify, f"undo: {message}", timeout=5)
                self.watcher.refresh_soon()

            self.run_worker(work, thread=True, group="plans", exit_on_error=False,
                            name="undo")

        self.push_screen(PlanScreen(Plan((step,), None, "undo", "key"), [preview],
                                    self.readonly), decided)

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry cluster data and typed text: never parsed as markup."""
        super().notify(clean(message), title=clean(title), severity=severity,  # type: ignore[arg-type]
                       timeout=timeout, markup=markup)

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies in an input): say which key does, in plain text."""
        keys = sorted((key for key, active in self.active_bindings.items()
                       if active.binding.action in ("quit", "app.quit")),
                      key=lambda key: key.startswith("ctrl+"))  # the keymap's own key first
        if keys:
            self.notify(f"press {' or '.join(keys)} to quit", title="Do you want to quit?")

    def refuse_in_readonly(self, what: str) -> bool:
        """True (and says so) when read-only mode forbids `what`."""
        if self.readonly:
            self.notify(f"read-only mode: {what} is not available — nothing can change the "
                        "cluster in this mode", severity="warning")
            return True
        return False

    @property
    def mode_label(self) -> str:
        """The mode as the status bar says it, with what runs by itself."""
        extras = []
        if self.autopilot is not None:
            extras.append("autopilot" + (" (dry run)" if self.autopilot.policy.dry_run else ""))
        if self.source.is_live and self.watcher.poll_period > 1.5 * self.watcher.poll_interval:
            # a large cluster: refreshes are paced so they never take more than a fifth
            extras.append(f"refresh every {self.watcher.poll_period:.0f}s")
        running = len(self.jobs.running)
        if running:
            extras.append(f"{running} job{'s' if running > 1 else ''} running")
        return " · ".join([self.mode, *extras])

    def now(self) -> datetime:
        """The wall clock; tests replace `clock` to make screens deterministic."""
        return self.clock()

    def alert_time(self, origin: str = "swarmtui") -> datetime:
        """The time alerts are judged at: now, or a recording's capture time (for
        swarmtui's own; Alertmanager's are live even beside a recording)."""
        state = self.state
        return state.fetched_at if state is not None and not self.source.is_live \
            and origin == "swarmtui" else self.now()

