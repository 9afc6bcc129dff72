"""`swarmtui backup` and `swarmtui restore`: service definitions kept, and brought back.

    swarmtui backup [--out DIR] [--keep N] [--include-join-tokens]
    swarmtui restore ARCHIVE [--service NAME]… [--dry-run] [--yes]

Backup only reads (its engine client refuses writes). Restore shows what it
would do — create, update with the changed fields, or leave — and asks for
`restore` to be typed unless `--yes`; `--dry-run` stops after the preview.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from swarmtui.backup import (
    BackupError,
    create_backup,
    prune_backups,
    read_backup,
    restore_plan,
)
from swarmtui.commands.common import add_source_options, fail, source_from_args
from swarmtui.config import state_dir
from swarmtui.swarm.logtext import clean
from swarmtui.swarm.source import SourceError


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of backups, at least 1")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser("backup", help="write every service spec, node label, "
                                                  "network and config to one archive")
    backup.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write it (default: ~/.local/state/swarmtui/backups)")
    backup.add_argument("--keep", type=_positive, default=None, metavar="N",
                        help="then remove all but the N newest backups of this swarm in DIR")
    backup.add_argument("--include-join-tokens", action="store_true",
                        help="also keep the swarm's join tokens (they admit nodes: guard them)")
    add_source_options(backup)
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser("restore", help="re-create or update services from a "
                                                    "backup, after a preview")
    restore.add_argument("archive", type=Path)
    restore.add_argument("--service", action="append", metavar="NAME",
                         help="only this service (repeatable)")
    restore.add_argument("--dry-run", action="store_true", help="preview only; change nothing")
    restore.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    restore.add_argument("--readonly", action="store_true", default=argparse.SUPPRESS,
                         help="refuse every change")
    add_source_options(restore)
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from swarmtui.swarm.engine import EngineSource

    source = source_from_args(args, readonly=True)
    if not isinstance(source, EngineSource):
        return fail("a backup needs a live engine, not a recording")
    try:
        source.connect()
        path = create_backup(source.client, args.out or state_dir() / "backups",
                             include_join_tokens=args.include_join_tokens)
    except SourceError as exc:
        return fail(exc)
    except OSError as exc:
        return fail(f"cannot write the backup: {exc}")
    except Exception as exc:  # the engine's refusal, as one line
        return fail(f"backup failed: {exc}")
    finally:
        source.close()
    print(path)
    if args.keep is not None:
        try:
            removed = prune_backups(path, args.keep)
        except OSError as exc:
            return fail(f"the backup is written, but older ones could not be removed: {exc}")
        for old in removed:
            print(f"removed {old.name} (keeping the {args.keep} newest)", file=sys.stderr)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from swarmtui.actions.execute import Executor
    from swarmtui.actions.undo import UndoStack
    from swarmtui.actions.undo import default_path as undo_path
    from swarmtui.swarm.engine import EngineSource

    try:
        backup = read_backup(args.archive)
    except BackupError as exc:
        return fail(str(exc))
    readonly = args.dry_run or bool(getattr(args, "readonly", False))
    source = source_from_args(args, readonly=readonly)
    if not isinstance(source, EngineSource):
        return fail("restore needs a live engine, not a recording")
    try:
        source.connect()
        live = {s["Spec"]["Name"]: s for s in source.client.services()}
        items = restore_plan(backup, live, args.service)
    except SourceError as exc:
        source.close()
        return fail(exc)
    except BackupError as exc:
        source.close()
        return fail(str(exc))
    except Exception as exc:  # the engine's refusal (no leader, a worker), as one line
        source.close()
        return fail(f"cannot read the live services: {exc}; nothing changed")
    manifest = backup.manifest
    print(clean(f"backup of {str(manifest.get('cluster_id') or '?')[:12]} taken "
                f"{manifest.get('created')}"))
    for item in items:
        mark = {"create": "+", "update": "~", "same": "="}[item.kind]
        print(clean(f"{mark} {item.kind:6} {item.name}"))
        for change in item.changes[:20]:
            print(clean(f"    {change}"))
        if len(item.changes) > 20:
            print(f"    … and {len(item.changes) - 20} more")
    work = [i for i in items if i.kind != "same"]
    if not work:
        source.close()
        print("the live cluster already matches the backup; nothing to do")
        return 0
    if args.dry_run:
        source.close()
        print(f"dry run: {len(work)} change(s) previewed; nothing changed")
        return 0
    if getattr(args, "readonly", False):
        source.close()
        return fail("read-only mode: restore refused; nothing changed")
    answer = "restore"
    if not args.yes:
        print(f"type 'restore' to apply {len(work)} change(s)", end=" ", flush=True)
        answer = sys.stdin.readline().strip()
        if answer != "restore":
            source.close()
            print("cancelled; nothing changed")
            return 1
    executor = Executor(source, undo=UndoStack(undo_path()))
    results = executor.restore(work, sentence=f"restore {args.archive}",
                               confirmation="--yes" if args.yes else answer,
                               progress=lambda line: print(f"  {clean(line)}", flush=True))
    source.close()
    failed = [r for r in results if not r[1]]
    print(f"{len(results) - len(failed)}/{len(work)} done"
          + (f"; stopped at {failed[0][0]}: {failed[0][2]}" if failed else ""))
    return 1 if failed else 0
