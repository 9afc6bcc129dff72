"""`swarmtui check [--json] [--rules F]`: one health check for cron or a systemd timer.

Nagios exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the cluster could
not be read). The first line sums up; then one line per firing alert. It only
reads: the engine client is read-only.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from swarmtui.alerts.model import Finding, Severity
from swarmtui.alerts.rules import RuleEngine, user_rules
from swarmtui.commands.common import add_source_options, state_once
from swarmtui.config import ConfigError
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.source import SourceError

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
LABELS = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="health check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--probes", action="store_true",
                        help="also probe disk, memory and load on every node over SSH")
    parser.add_argument("--rules", metavar="FILE", type=Path,
                        help="alert rules file (default: ~/.config/swarmtui/rules.yaml)")
    add_source_options(parser)
    parser.set_defaults(func=run)




def run_probes(state: object, engine: RuleEngine) -> list[Finding]:
    from swarmtui.actions.ssh import SSHRunner
    from swarmtui.alerts.probes import probe_findings
    from swarmtui.config import load_settings, ssh_settings

    runner = SSHRunner(ssh_settings(load_settings()))
    try:
        found, problems = probe_findings(state, runner, engine.rules)  # type: ignore[arg-type]
    finally:
        runner.close()
    for problem in problems:
        print(f"note: not probed: {problem}", file=sys.stderr)
    return found


def exit_code(findings: list[Finding]) -> int:
    worst = max((f.severity for f in findings), default=Severity.INFO)
    return {Severity.CRITICAL: CRITICAL, Severity.WARNING: WARNING}.get(worst, OK)


def run(args: argparse.Namespace) -> int:
    try:
        engine = user_rules(args.rules)
    except ConfigError as exc:
        print(f"UNKNOWN - {exc}")
        return UNKNOWN
    now = datetime.now(UTC)
    where = "the cluster"
    try:
        state = state_once(args)
    except ConfigError as exc:
        return report(args, UNKNOWN, [], str(exc))
    except SourceError as exc:
        if exc.kind != "no-leader":
            return report(args, UNKNOWN, [], f"cannot read the cluster: {exc.message}")
        findings = [engine.lost_quorum(exc.message)]
    else:
        where = f"{state.engine.name} ({len(state.nodes)} nodes, {len(state.services)} services)"
        extra: list[Finding] = []
        if args.probes:
            try:
                extra = run_probes(state, engine)
            except ConfigError as exc:  # the SSH settings: named, and the check is UNKNOWN
                return report(args, UNKNOWN, [], f"cannot probe: {exc}")
        findings = engine.evaluate(state, state.fetched_at or now, extra)
    findings.sort(key=lambda f: (-f.severity, f.rule, f.subject))
    code = exit_code(findings)
    counts = ", ".join(f"{sum(f.severity is s for f in findings)} {s.label}"
                       for s in sorted(Severity, reverse=True)
                       if any(f.severity is s for f in findings))
    return report(args, code, findings, f"{counts or 'no alerts'} on {where}")


def report(args: argparse.Namespace, code: int, findings: list[Finding], headline: str) -> int:
    if args.json:
        json.dump({"status": LABELS[code], "code": code, "summary": headline,
                   "alerts": [{"severity": f.severity.label, "rule": f.rule,
                               "subject": f.subject, "summary": f.summary,
                               "detail": f.detail} for f in findings]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
        return code
    print(clean(f"{LABELS[code]} - {headline}"))
    for finding in findings:
        detail = f" — {finding.detail}" if finding.detail else ""
        print(clean(f"{finding.severity.label.upper()} {finding.rule}: "
                    f"{finding.summary}{detail}"))
    return code
