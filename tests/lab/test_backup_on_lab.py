"""Backup → break things → restore, on the lab: the specs come back as they were."""

from __future__ import annotations

import json
import stat
import tarfile
from pathlib import Path

import pytest

from tests.conftest import docker, swarmtui

pytestmark = pytest.mark.lab


def specs(lab) -> dict[str, dict]:
    ids = docker(lab, "service", "ls", "-q").split()
    return {s["Spec"]["Name"]: s["Spec"]
            for s in json.loads(docker(lab, "service", "inspect", *ids))}


def test_backup_then_remove_two_change_one_and_restore_brings_back_the_specs(lab, tmp_path):
    before = specs(lab)
    made = swarmtui("backup", "--host", lab.docker_host, "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr
    archive = tmp_path / made.stdout.strip().rsplit("/", 1)[-1]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        swarm = json.load(tar.extractfile("swarm.json"))
        stack = tar.extractfile("stack.yaml").read().decode()
        assert all(m.mode == 0o600 for m in tar.getmembers())
    assert {"manifest.json", "stack.yaml", "nodes.json", "networks.json", "secrets.json",
            "swarm.json", "services/shop_web.json"} <= set(names)
    assert "JoinTokens" not in swarm  # only with --include-join-tokens
    assert "monitoring_grafana:" in stack and "image: lab/busybox" in stack

    docker(lab, "service", "rm", "monitoring_grafana", "edge_traefik")
    docker(lab, "service", "update", "--detach", "--env-add", "RETENTION=1d",
           "--replicas", "2", "monitoring_prometheus")
    broken = specs(lab)
    try:
        dry = swarmtui("restore", "--host", lab.docker_host, "--dry-run", str(archive))
        assert dry.returncode == 0, dry.stdout + dry.stderr
        assert "+ create edge_traefik" in dry.stdout
        assert "+ create monitoring_grafana" in dry.stdout
        assert "~ update monitoring_prometheus" in dry.stdout
        assert "Mode.Replicated.Replicas: 2 → 1" in dry.stdout
        assert "nothing changed" in dry.stdout
        assert specs(lab) == broken  # the dry run changed nothing, not one spec
        wrong = swarmtui("restore", "--host", lab.docker_host, str(archive), input="yes\n")
        assert wrong.returncode == 1 and specs(lab) == broken
        done = swarmtui("restore", "--host", lab.docker_host, str(archive), input="restore\n")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "3/3 done" in done.stdout
    finally:
        after = specs(lab)
    for name in ("monitoring_grafana", "edge_traefik", "monitoring_prometheus"):
        assert after[name] == before[name], name
    again = swarmtui("restore", "--host", lab.docker_host, "--dry-run", str(archive))
    assert "already matches" in again.stdout


def test_restore_names_a_bad_archive_and_an_unknown_service(lab, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("not an archive")
    bad = swarmtui("restore", "--host", lab.docker_host, str(junk))
    assert bad.returncode == 1 and "not a readable .tar.gz archive" in bad.stderr
    made = swarmtui("backup", "--host", lab.docker_host, "--out", str(tmp_path))
    archive = made.stdout.strip()
    unknown = swarmtui("restore", "--host", lab.docker_host, "--service", "nope", archive)
    assert unknown.returncode == 1 and "not in the backup: nope" in unknown.stderr


def test_join_tokens_are_kept_only_when_asked_for(lab, tmp_path):
    made = swarmtui("backup", "--include-join-tokens", "--host", lab.docker_host,
                    "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr
    with tarfile.open(made.stdout.strip()) as tar:
        swarm = json.load(tar.extractfile("swarm.json"))
        manifest = json.load(tar.extractfile("manifest.json"))
    assert swarm["JoinTokens"]["Worker"].startswith("SWMTKN-")
    assert manifest["join_tokens"] is True and manifest["format"] == "swarmtui-backup/1"


def test_keep_leaves_only_the_newest_backups_even_within_one_second(lab, tmp_path):
    made = [swarmtui("backup", "--host", lab.docker_host, "--out", str(tmp_path))
            for _ in range(3)]
    assert all(m.returncode == 0 for m in made), [m.stderr for m in made]
    assert len({m.stdout.strip() for m in made}) == 3  # never overwritten
    last = swarmtui("backup", "--keep", "2", "--host", lab.docker_host, "--out", str(tmp_path))
    assert last.returncode == 0, last.stderr
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 2 and Path(last.stdout.strip()).name in kept
    assert last.stderr.count("removed swarmtui-backup-") == 2
