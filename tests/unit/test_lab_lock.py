"""One `lab up`/`lab down` at a time: a second is refused, naming the first."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from swarmtui.lab.host import LabError
from swarmtui.lab.lifecycle import exclusive


def test_a_second_lab_command_is_refused_while_the_first_holds_the_lock(tmp_path):
    lock = tmp_path / "lab.lock"
    with exclusive(lock):
        assert lock.read_text().strip() == str(os.getpid())
        with pytest.raises(LabError, match=rf"running \(pid {os.getpid()}\)"), exclusive(lock):
            pass
    with exclusive(lock):  # released with the first
        pass


def test_the_lock_is_seen_across_processes_and_freed_when_its_holder_dies(tmp_path):
    lock = tmp_path / "lab.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from pathlib import Path\n"
         "from swarmtui.lab.lifecycle import exclusive\n"
         f"with exclusive(Path({str(lock)!r})):\n"
         "    print('held', flush=True); time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LabError, match=rf"pid {holder.pid}"), exclusive(lock):
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(lock):  # a killed holder leaves no stale lock
        pass
