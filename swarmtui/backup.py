"""Backups of a swarm's definitions, and restoring services from them.

A backup is one `.tar.gz`, mode 0600, named for the swarm and the UTC time:

    manifest.json     what this is: format, swarmtui version, cluster ID, time, contents
    services/NAME.json  each service as the Engine returns it (ID, Version, Spec, …)
    stack.yaml        the same services as stack-style YAML a person can read
                      (secret-looking environment values masked; the JSON has them)
    nodes.json        hostname, role, availability and labels of every node
    networks.json, configs.json, secrets.json (names and labels only — never data)
    swarm.json        the swarm's settings; join tokens only if asked for

Restore compares the archive's service specs with the live ones and plans:
create what is missing, update what differs (versions and timestamps aside),
leave what matches. The executor applies it, with audit and undo.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from swarmtui import __version__
from swarmtui.swarm.secrets import mask_argv, mask_env, mask_labels

FORMAT = "swarmtui-backup/1"


class BackupError(Exception):
    """One line: what is wrong with the archive or the request."""


def _stack_service(spec: dict[str, Any]) -> dict[str, Any]:
    """A service spec as a compose-file service, for people (not for restore)."""
    template = spec.get("TaskTemplate") or {}
    container = template.get("ContainerSpec") or {}
    out: dict[str, Any] = {"image": container.get("Image", "")}
    if container.get("Args") or container.get("Command"):
        out["command"] = [*(container.get("Command") or []), *(container.get("Args") or [])]
    if container.get("Env"):
        out["environment"] = mask_env(container["Env"])
    deploy: dict[str, Any] = {}
    mode = spec.get("Mode") or {}
    if "Replicated" in mode:
        deploy["replicas"] = (mode["Replicated"] or {}).get("Replicas", 1)
    elif "Global" in mode:
        deploy["mode"] = "global"
    else:
        deploy["mode"] = next(iter(mode), "replicated").lower()
    constraints = (template.get("Placement") or {}).get("Constraints")
    if constraints:
        deploy["placement"] = {"constraints": constraints}
    if spec.get("Labels"):
        deploy["labels"] = mask_labels(spec["Labels"])
    out["deploy"] = deploy
    ports = (spec.get("EndpointSpec") or {}).get("Ports") or []
    if ports:
        out["ports"] = [f"{p.get('PublishedPort', '')}:{p.get('TargetPort')}/"
                        f"{p.get('Protocol', 'tcp')}" for p in ports]
    networks = template.get("Networks") or []
    if networks:
        out["networks"] = [n.get("Target") for n in networks]
    return out


def _add(archive: tarfile.TarFile, name: str, data: bytes, when: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(when)
    archive.addfile(info, io.BytesIO(data))


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, default=str) + "\n").encode()


def _free_name(folder: Path, stem: str) -> Path:
    """`stem.tar.gz`, or `stem-2.tar.gz`… when a backup of the same second exists."""
    for number in range(1, 1000):
        path = folder / (f"{stem}.tar.gz" if number == 1 else f"{stem}-{number}.tar.gz")
        if not path.exists() and not path.is_symlink():
            return path
    return folder / f"{stem}.tar.gz"  # O_EXCL below says it exists


def create_backup(client: Any, out_dir: Path, *, include_join_tokens: bool = False,
                  now: datetime | None = None) -> Path:
    """Read everything with GETs and write one archive; returns its path."""
    now = now or datetime.now(UTC)
    swarm = dict(client.inspect_swarm())
    if not include_join_tokens:
        swarm.pop("JoinTokens", None)
    services = client.services()
    nodes = client.nodes()
    networks = [n for n in client.networks() if n.get("Scope") == "swarm"]
    configs = client.configs()
    secrets = [{"ID": s.get("ID"), "Name": (s.get("Spec") or {}).get("Name"),
                "Labels": (s.get("Spec") or {}).get("Labels") or {}}
               for s in client.secrets()]  # names only: the engine never gives data, nor do we
    cluster = str(swarm.get("ID", ""))[:12] or "swarm"
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = _free_name(out_dir, f"swarmtui-backup-{cluster}-{stamp}")
    names = sorted(s["Spec"]["Name"] for s in services)
    manifest = {
        "format": FORMAT, "swarmtui": __version__, "created": now.isoformat(),
        "cluster_id": swarm.get("ID"), "services": names,
        "counts": {"services": len(services), "nodes": len(nodes), "networks": len(networks),
                   "configs": len(configs), "secrets": len(secrets)},
        "join_tokens": include_join_tokens,
        "contents": ["manifest.json", "stack.yaml", "nodes.json", "networks.json",
                     "configs.json", "secrets.json", "swarm.json",
                     *(f"services/{n}.json" for n in names)],
    }
    stack = {"version": "3.8", "services": {
        s["Spec"]["Name"]: _stack_service(s["Spec"]) for s in services}}
    node_rows = [{"ID": n["ID"], "Hostname": (n.get("Description") or {}).get("Hostname"),
                  "Role": n["Spec"].get("Role"), "Availability": n["Spec"].get("Availability"),
                  "Labels": n["Spec"].get("Labels") or {}} for n in nodes]
    when = now.timestamp()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle, \
            tarfile.open(fileobj=handle, mode="w:gz") as archive:
        _add(archive, "manifest.json", _json(manifest), when)
        _add(archive, "stack.yaml", yaml.safe_dump(stack, sort_keys=True).encode(), when)
        _add(archive, "nodes.json", _json(node_rows), when)
        _add(archive, "networks.json", _json(networks), when)
        _add(archive, "configs.json", _json(configs), when)
        _add(archive, "secrets.json", _json(secrets), when)
        _add(archive, "swarm.json", _json(swarm), when)
        for service in services:
            _add(archive, f"services/{service['Spec']['Name']}.json", _json(service), when)
    return path


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    manifest: dict[str, Any]
    services: dict[str, dict[str, Any]]  # name → the Engine's service object


MAX_MEMBER = 64 * 1024 * 1024  # a service spec is kilobytes; refuse to inflate a bomb
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


ARCHIVE_NAME = re.compile(
    r"swarmtui-backup-(?P<cluster>[^-/]+)-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<number>\d{1,3}))?"
    r"\.tar\.gz")


def prune_backups(latest: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest archives of `latest`'s cluster beside it.

    Only regular files named as `create_backup` names them, of the same cluster,
    are candidates (never a symlink, never another cluster's); newest by the
    time in the name. Returns what was removed.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    own = ARCHIVE_NAME.fullmatch(latest.name)
    if own is None:
        return []
    archives = []
    for path in latest.parent.iterdir():
        match = ARCHIVE_NAME.fullmatch(path.name)
        if match and match["cluster"] == own["cluster"] and path.is_file() \
                and not path.is_symlink():
            archives.append((match["stamp"], int(match["number"] or 1), path))
    archives.sort(reverse=True)
    removed = []
    for _, _, path in archives[keep:]:
        if path == latest:
            continue
        path.unlink()
        removed.append(path)
    return removed


def read_backup(path: Path) -> Backup:
    """The archive's manifest and services, each checked; a bad archive is one line."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            def load(name: str) -> Any:
                try:
                    info = archive.getmember(name)
                except KeyError:
                    raise BackupError(f"{path}: the archive lacks {name}") from None
                if not info.isfile():
                    raise BackupError(f"{path}: {name} is not a plain file")
                if info.size > MAX_MEMBER:
                    raise BackupError(f"{path}: {name} is {info.size} bytes: too large")
                member = archive.extractfile(info)
                if member is None:
                    raise BackupError(f"{path}: the archive lacks {name}")
                try:
                    return json.loads(member.read(MAX_MEMBER + 1))
                except (ValueError, RecursionError):
                    raise BackupError(f"{path}: {name} is not valid JSON") from None

            manifest = load("manifest.json")
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                found = manifest.get("format") if isinstance(manifest, dict) else None
                raise BackupError(f"{path}: not a {FORMAT} archive (format {found!r})")
            names = manifest.get("services")
            if not isinstance(names, list) or not all(
                    isinstance(n, str) and SAFE_NAME.match(n) for n in names):
                raise BackupError(f"{path}: manifest.json: 'services' must be a list of "
                                  "service names")
            services = {}
            for name in names:
                service = load(f"services/{name}.json")
                spec = service.get("Spec") if isinstance(service, dict) else None
                if not isinstance(spec, dict) or spec.get("Name") != name:
                    raise BackupError(f"{path}: services/{name}.json is not the spec of "
                                      f"a service named {name}")
                services[name] = service
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BackupError(f"{path}: is a directory, not an archive") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError(f"{path}: not a readable .tar.gz archive") from None
    return Backup(path, manifest, services)


def describe_spec(spec: dict[str, Any]) -> list[str]:
    """What a re-created service would be, for the preview (environment values hidden)."""
    template = spec.get("TaskTemplate") or {}
    container = template.get("ContainerSpec") or {}
    lines = [f"image: {container.get('Image', '?')}"]
    mode = spec.get("Mode") or {}
    if "Replicated" in mode:
        lines.append(f"replicas: {(mode['Replicated'] or {}).get('Replicas', 1)}")
    elif mode:
        lines.append(f"mode: {next(iter(mode)).lower()}")
    if container.get("Args") or container.get("Command"):
        argv = [*(container.get("Command") or []), *(container.get("Args") or [])]
        lines.append("command: " + " ".join(mask_argv([str(a) for a in argv])))
    if container.get("Env"):
        lines.append(f"environment: {len(container['Env'])} variables, "
                     + ", ".join(str(e).partition("=")[0] for e in container["Env"]))
    for mount in container.get("Mounts") or []:
        lines.append(f"mount: {mount.get('Source', '')} → {mount.get('Target', '')} "
                     f"({mount.get('Type', 'volume')})")
    constraints = (template.get("Placement") or {}).get("Constraints")
    if constraints:
        lines.append("constraints: " + "; ".join(map(str, constraints)))
    ports = (spec.get("EndpointSpec") or {}).get("Ports") or []
    if ports:
        lines.append("ports: " + ", ".join(f"{p.get('PublishedPort', '')}:{p.get('TargetPort')}"
                                           for p in ports))
    return lines


@dataclass(frozen=True, slots=True)
class RestoreItem:
    name: str
    kind: str  # create | update | same
    spec: dict[str, Any]
    changes: tuple[str, ...] = ()


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def spec_changes(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Where two specs differ, as `path: live → wanted` (env values masked)."""
    left, right = _flatten(live), _flatten(wanted)
    changes = []
    for key in sorted(set(left) | set(right)):
        if key.endswith("ForceUpdate"):
            continue  # a restart counter, not configuration
        if left.get(key) != right.get(key):
            a, b = left.get(key), right.get(key)
            if key.endswith("ContainerSpec.Env"):
                a, b = mask_env(a or []), mask_env(b or [])
            changes.append(f"{key}: {a!r} → {b!r}")
    return changes


def restore_plan(backup: Backup, live: dict[str, dict[str, Any]],
                 only: list[str] | None = None) -> list[RestoreItem]:
    """What restoring would do, service by service. `live` maps name → Engine object."""
    names = sorted(backup.services)
    if only:
        unknown = [n for n in only if n not in backup.services]
        if unknown:
            raise BackupError(f"not in the backup: {', '.join(unknown)} "
                              f"(it holds {', '.join(names)})")
        names = [n for n in names if n in only]
    items = []
    for name in names:
        spec = backup.services[name]["Spec"]
        current = live.get(name)
        if current is None:
            items.append(RestoreItem(name, "create", spec, tuple(describe_spec(spec))))
            continue
        changes = spec_changes(current["Spec"], spec)
        items.append(RestoreItem(name, "update" if changes else "same", spec, tuple(changes)))
    return items
