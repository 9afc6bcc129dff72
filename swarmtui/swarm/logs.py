"""Engine log streams: multiplexed frames (C-09) or raw TTY bytes (C-10)."""

from __future__ import annotations

import codecs
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

STREAMS = {0: "stdin", 1: "stdout", 2: "stderr"}
HEADER = struct.Struct(">BxxxL")


@dataclass(frozen=True, slots=True)
class LogFrame:
    stream: str
    payload: bytes


def demux(chunks: Iterable[bytes]) -> Iterator[LogFrame]:
    """Frames `[stream, 0, 0, 0, length(u32 BE)] + payload` from arbitrary chunking."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= HEADER.size:
            stream, length = HEADER.unpack_from(buffer)
            if len(buffer) < HEADER.size + length:
                break
            payload = bytes(buffer[HEADER.size : HEADER.size + length])
            del buffer[: HEADER.size + length]
            yield LogFrame(STREAMS.get(stream, "stdout"), payload)


def split_lines(frames: Iterable[LogFrame]) -> Iterator[tuple[str, str]]:
    """(stream, line) pairs; lines may span frames, invalid UTF-8 is replaced."""
    decoders = {name: codecs.getincrementaldecoder("utf-8")("replace") for name in STREAMS.values()}
    pending = {name: "" for name in STREAMS.values()}
    for frame in frames:
        text = pending[frame.stream] + decoders[frame.stream].decode(frame.payload)
        *lines, pending[frame.stream] = text.split("\n")
        for line in lines:
            yield frame.stream, line.rstrip("\r")
    for stream, rest in pending.items():
        if rest:
            yield stream, rest.rstrip("\r")


def tty_lines(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """A TTY service's unframed output: one stream, split on newlines (C-10)."""
    return split_lines(LogFrame("stdout", chunk) for chunk in chunks)
