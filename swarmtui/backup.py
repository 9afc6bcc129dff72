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
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from swarmtui import __version__
from swarmtui.swarm.secrets import mask_env, mask_labels

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
    path = out_dir / f"swarmtui-backup-{cluster}-{stamp}.tar.gz"
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


def read_backup(path: Path) -> Backup:
    try:
        with tarfile.open(path, "r:gz") as archive:
            def load(name: str) -> Any:
                member = archive.extractfile(name)
                if member is None:
                    raise KeyError(name)
                return json.loads(member.read())

            manifest = load("manifest.json")
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path}: not a {FORMAT} archive "
                                  f"(format {manifest.get('format')!r})")
            services = {name: load(f"services/{name}.json") for name in manifest["services"]}
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{path}: not a readable .tar.gz archive") from None
    except KeyError as exc:
        raise BackupError(f"{path}: the archive lacks {exc.args[0]}") from None
    except (ValueError, TypeError):
        raise BackupError(f"{path}: a member is not valid JSON") from None
    return Backup(path, manifest, services)


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
            items.append(RestoreItem(name, "create", spec))
            continue
        changes = spec_changes(current["Spec"], spec)
        items.append(RestoreItem(name, "update" if changes else "same", spec, tuple(changes)))
    return items
