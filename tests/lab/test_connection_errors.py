"""Connection failures give one clear line and a non-zero exit, never a traceback (C-12…C-14)."""

from __future__ import annotations

import os
import socket

import pytest

from tests.conftest import swarmtui

pytestmark = pytest.mark.lab


def assert_one_clear_line(result, *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_c14_a_worker_is_refused_with_the_managers_listed(lab):
    worker = lab.node("worker-1")
    result = swarmtui("status", "--host", worker.docker_host)
    assert_one_clear_line(result, "connected to a worker", "10.77.0.11:2377")


def test_c13_no_socket(tmp_path):
    result = swarmtui("status", "--host", f"unix://{tmp_path}/docker.sock")
    assert_one_clear_line(result, "no Docker socket at", "is the daemon running")


def test_c13_connection_refused(tmp_path):
    path = tmp_path / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))  # bound, never listening: connect() is refused
    try:
        result = swarmtui("status", "--host", f"unix://{path}")
    finally:
        listener.close()
    assert_one_clear_line(result, "connection refused")


def test_c13_permission_denied_on_a_real_engine_socket(lab):
    assert os.geteuid() == 0, "this test runs as root and drops to nobody"
    # nobody's own (empty) settings: the test run's folders are root's, mode 0700
    result = swarmtui("status", "--host", lab.docker_host, user="nobody",
                      env={"XDG_CONFIG_HOME": "/nonexistent", "XDG_STATE_HOME": "/nonexistent"})
    assert_one_clear_line(result, "permission denied", "docker' group")
    # and a settings folder it may not enter is named, not a traceback
    unreadable = swarmtui("status", "--host", lab.docker_host, user="nobody")
    assert_one_clear_line(unreadable, "config.yaml: cannot read (Permission denied)")


def test_c12_api_version_mismatch_names_both_versions(lab):
    result = swarmtui("status", "--host", lab.docker_host, env={"DOCKER_API_VERSION": "1.99"})
    assert_one_clear_line(result, "1.99", "1.41")


def test_a_bad_snapshot_file_is_named(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"nodes": [}')
    result = swarmtui("status", "--snapshot", str(bad))
    assert_one_clear_line(result, str(bad), "not valid JSON")
    bad.write_text('{"nodes": []}')
    result = swarmtui("status", "--snapshot", str(bad))
    assert_one_clear_line(result, "'services'")
