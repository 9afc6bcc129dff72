"""The lab's only image: Debian's static busybox `FROM scratch`, in `docker save` format.

No registry is reachable, so the image is written here as a tarball (the same
bytes every time for the same busybox) and `docker load`ed into every node.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import subprocess
import tarfile
from pathlib import Path

import docker

from swarmtui.lab.host import LabError

BUSYBOX = Path("/bin/busybox")
IMAGE_TAGS = ("lab/busybox:1.35", "lab/busybox:1.36")
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EPOCH = "2024-01-01T00:00:00Z"
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
                 "s390x": "s390x", "riscv64": "riscv64"}

ETC_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    "etc/group": "root:x:0:\nnogroup:x:65534:\n",
}
DIRS = {"bin": 0o755, "dev": 0o755, "etc": 0o755, "proc": 0o755, "root": 0o700,
        "sbin": 0o755, "sys": 0o755, "tmp": 0o1777, "usr": 0o755, "usr/bin": 0o755,
        "usr/sbin": 0o755, "var": 0o755}


def write_image_tar(dest: Path) -> Path:
    """Write the busybox image (both tags) as a `docker save` tarball at `dest`."""
    binary = BUSYBOX.read_bytes()
    if b"ld-linux" in binary[:4096]:
        raise LabError(f"{BUSYBOX} is dynamically linked; the lab needs busybox-static")
    layer = _layer_tar(binary, _applets())
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {
            "architecture": ARCHITECTURES.get(platform.machine(), platform.machine()),
            "os": "linux",
            "created": EPOCH,
            "config": {"Env": [PATH_ENV], "Cmd": ["sh"]},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": EPOCH, "created_by": "swarmtui lab: Debian busybox-static"}],
        },
        sort_keys=True,
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_dir = diff_id.removeprefix("sha256:")
    manifest = json.dumps(
        [{"Config": config_name, "RepoTags": list(IMAGE_TAGS),
          "Layers": [f"{layer_dir}/layer.tar"]}]
    ).encode()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(dest, "w") as tar:
        _add_file(tar, config_name, config)
        _add_dir(tar, layer_dir, 0o755)
        _add_file(tar, f"{layer_dir}/layer.tar", layer)
        _add_file(tar, "manifest.json", manifest)
    return dest


def load_image(client: docker.APIClient, tar: Path) -> None:
    with tar.open("rb") as data:
        for message in client.load_image(data):
            if isinstance(message, dict) and message.get("error"):
                raise LabError(f"docker load failed: {message['error']}")


def _applets() -> list[str]:
    listing = subprocess.run([str(BUSYBOX), "--list-full"], capture_output=True, text=True,
                             check=True)
    return [line for line in listing.stdout.split() if line and line != "bin/busybox"]


def _layer_tar(binary: bytes, applets: list[str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for path, mode in DIRS.items():
            _add_dir(tar, path, mode)
        _add_file(tar, "bin/busybox", binary, mode=0o755)
        for path, text in ETC_FILES.items():
            _add_file(tar, path, text.encode())
        for applet in sorted(set(applets)):
            if "/" not in applet or applet.rsplit("/", 1)[0] not in DIRS:
                continue  # e.g. "linuxrc" at the root: not needed
            info = tarfile.TarInfo(applet)
            info.type = tarfile.SYMTYPE
            info.linkname = "/bin/busybox"
            info.mode = 0o777
            tar.addfile(info)
    return buf.getvalue()


def _add_dir(tar: tarfile.TarFile, path: str, mode: int) -> None:
    info = tarfile.TarInfo(path)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    tar.addfile(info)


def _add_file(tar: tarfile.TarFile, path: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(path)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))
