"""Cases C-09…C-11: multiplexed frames, raw TTY output, hostile application output."""

from __future__ import annotations

import struct

from swarmtui.swarm.logs import demux, split_lines, tty_lines
from swarmtui.swarm.logtext import MAX_LINE, clean, parse_line, prefix
from tests.conftest import state_from


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_c09_frames_split_anywhere_are_reassembled_and_streams_kept_apart():
    data = frame(1, b"hello\nwor") + frame(2, b"oops\n") + frame(1, b"ld\n")
    for cut in range(1, len(data)):
        pieces = [data[:cut], data[cut:]]
        assert list(split_lines(demux(pieces))) == [
            ("stdout", "hello"), ("stderr", "oops"), ("stdout", "world")]


def test_c09_details_become_the_prefix_and_extra_keys_are_kept(incident):
    state = state_from(incident)
    web = state.service_named("shop_web")
    task = next(t for t in state.tasks_of(web.id) if t.slot == 1)
    node = state.node(task.node_id)
    raw = (f"2026-12-03T16:04:35.909889780Z com.docker.swarm.node.id={node.id},"
           f"com.docker.swarm.service.id={web.id},com.docker.swarm.task.id={task.id},"
           f"com.example.team=payments GET /cart/1 200")
    line = parse_line("stdout", raw)
    assert line.text == "GET /cart/1 200"
    assert line.details["com.example.team"] == "payments"
    assert line.timestamp is not None and line.timestamp.microsecond == 909889
    assert prefix(line, state) == f"shop_web.1.{task.id[:5]}@{node.name}"


def test_c10_tty_output_is_split_on_newlines_without_demultiplexing():
    body = [b"\x1b[32mready\x1b[0m\r\nGET / 2", b"00\r\n", b"\xe2\x82", b"\xac done\n"]
    lines = [text for _, text in tty_lines(body)]
    assert lines == ["\x1b[32mready\x1b[0m", "GET / 200", "€ done"]
    assert [clean(t) for t in lines] == ["ready", "GET / 200", "€ done"]


def test_c11_colours_and_cursor_movement_never_reach_the_terminal():
    raw = "\x1b[34mINFO\x1b[0m registering every 20s addr=10.0.0.5:2375\x1b[2K\x1b[1A"
    assert clean(raw) == "INFO registering every 20s addr=10.0.0.5:2375"
    assert clean("\x1b]0;pwned title\x07after") == "after"
    assert clean("progress 10%\rprogress 100%\r") == "progress 100%"
    assert clean("bell\x07 and null\x00 and tab\tend") == "bell and null and tab    end"
    assert "\x1b" not in clean("\x1b[?1049h\x1b[2J\x1bc\x1b(0broken")


def test_invalid_utf8_is_replaced_not_fatal():
    lines = list(split_lines(demux([frame(1, b"bad \xff\xfe bytes\n")])))
    assert lines == [("stdout", "bad \ufffd\ufffd bytes")]


def test_a_100kb_line_is_cut_and_says_so():
    text = clean("x" * 100_000)
    assert text.startswith("x" * MAX_LINE)
    assert text.endswith(f"[{100_000 - MAX_LINE} more characters]")
