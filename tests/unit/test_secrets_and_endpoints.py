"""Secret masking, and choosing the engine the way the docker CLI does."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from hashlib import sha256
from pathlib import Path

import pytest

from swarmtui.swarm.endpoint import resolve_endpoint
from swarmtui.swarm.secrets import MASK, mask_env, mask_service
from swarmtui.swarm.source import SourceError


@pytest.mark.parametrize(
    ("entry", "shown"),
    [
        ("API_KEY=abc123", f"API_KEY={MASK}"),
        ("db_password=hunter2", f"db_password={MASK}"),
        ("GITHUB_TOKEN=ghp_x", f"GITHUB_TOKEN={MASK}"),
        ("AWS_SECRET_ACCESS_KEY=x", f"AWS_SECRET_ACCESS_KEY={MASK}"),
        ("SMTP_PASS=x", f"SMTP_PASS={MASK}"),
        ("GCP_CREDENTIALS=x", f"GCP_CREDENTIALS={MASK}"),
        ("DATABASE_URL=postgres://shop:s3cret@db:5432/shop",
         f"DATABASE_URL=postgres://shop:{MASK}@db:5432/shop"),
        ("LOG_LEVEL=debug", "LOG_LEVEL=debug"),
        ("HOMEPAGE=https://example.com/a@b", "HOMEPAGE=https://example.com/a@b"),
        ("EMPTY_PASSWORD=", "EMPTY_PASSWORD="),
        ("JUST_A_NAME", "JUST_A_NAME"),
    ],
)
def test_secret_looking_values_are_masked(entry, shown):
    assert mask_env([entry]) == [shown]


def test_masking_a_service_leaves_the_original_untouched(incident):
    api = next(s for s in incident["services"] if s["Spec"]["Name"] == "shop_api")
    masked = mask_service(api)
    env = masked["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"]
    assert env == [f"DATABASE_URL=postgres://shop:{MASK}@postgres:5432/shop"]
    assert "placeholder" in api["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"][0]


def test_host_flag_beats_docker_host():
    endpoint = resolve_endpoint("tcp://10.0.0.1:2375", env={"DOCKER_HOST": "unix:///x.sock"})
    assert (endpoint.url, endpoint.origin) == ("tcp://10.0.0.1:2375", "--host")


def test_docker_host_beats_the_default():
    endpoint = resolve_endpoint(env={"DOCKER_HOST": "/run/other.sock"})
    assert (endpoint.url, endpoint.origin) == ("unix:///run/other.sock", "DOCKER_HOST")


def write_context(home: Path, name: str, host: str) -> None:
    meta = home / ".docker" / "contexts" / "meta" / sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps(
        {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host,
                                                                "SkipTLSVerify": False}}}
    ))
    (home / ".docker" / "config.json").write_text(json.dumps({"currentContext": name}))


def test_the_docker_cli_current_context_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / ".docker"))
    write_context(tmp_path, "prod", "ssh://ops@prod-manager")
    endpoint = resolve_endpoint(env={})
    assert (endpoint.url, endpoint.origin) == ("ssh://ops@prod-manager", "docker context prod")
    with pytest.raises(SourceError, match="'nope' does not exist"):
        resolve_endpoint(context="nope", env={})


def test_themes_and_keymaps_ship_inside_the_wheel(tmp_path):
    root = Path(__file__).parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("swarmtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("swarmtui/themes/") for n in names)
    assert any(n.startswith("swarmtui/keymaps/") for n in names)
    assert "swarmtui/data/demo-cluster.json" in names


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:pa/ss@h/x", f"https://user:{MASK}@h/x"),
        ("https://user:pa@ss@h/x", f"https://user:{MASK}@h/x"),
        ("host=db password=libpq-12", f"host=db password={MASK}"),
        ("jdbc:mysql://db/x?user=a&password=jdbc-13", f"jdbc:mysql://db/x?user=a&password={MASK}"),
    ],
)
def test_credentials_inside_text_are_masked(text, shown):
    from swarmtui.swarm.secrets import mask_text

    assert mask_text(text) == shown


def test_command_lines_and_labels_are_masked():
    from swarmtui.swarm.secrets import mask_argv, mask_labels

    assert mask_argv(["--db", "postgres://u:pw@db/x", "--password=pw2", "--token", "t", "-v"]) \
        == ["--db", f"postgres://u:{MASK}@db/x", f"--password={MASK}", "--token", MASK, "-v"]
    assert mask_labels({"db.url": "postgres://u:pw@db/x", "api.token": "t", "team": "a"}) == \
        {"db.url": f"postgres://u:{MASK}@db/x", "api.token": MASK, "team": "a"}


@pytest.mark.parametrize("url", ["ssh://h:0", "ssh://h:99999", "ssh://ops@h:port"])
def test_an_ssh_address_with_an_impossible_port_is_one_line(url):
    from swarmtui.swarm.source import SourceError
    from swarmtui.swarm.tunnel import SSHTarget

    with pytest.raises(SourceError, match="the port must be a number from 1 to 65535"):
        SSHTarget.parse(url)
    assert SSHTarget.parse("ssh://ops@h:2222/run/docker.sock").port == 2222


@pytest.mark.parametrize(("logs", "message"), [
    ([1, 2], "'logs' is not an object"),
    ({"shop_web": "oops"}, "logs.shop_web is not a list"),
    ({"shop_web": ["line"]}, "logs.shop_web[0] is not an object"),
])
def test_a_malformed_logs_section_of_a_recording_is_said(tmp_path, incident_raw, logs, message):
    import json as json_module

    from swarmtui.swarm.recorded import RecordedSource
    from swarmtui.swarm.source import SourceError

    path = tmp_path / "rec.json"
    path.write_text(json_module.dumps({**incident_raw, "logs": logs}))
    with pytest.raises(SourceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        RecordedSource(path).recorded_logs("shop_web")
