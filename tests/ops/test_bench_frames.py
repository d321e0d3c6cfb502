"""The socket bench's own frame reader and writer (bench/sockets.py), against websockets'
serializer and parser: the fan-out figures are only as right as the client's reading."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from bench.sockets import OP_PING, OP_PONG, OP_TEXT, RawFrames, masked_frame


def server_bytes(*frames: Frame) -> bytes:
    return b"".join(frame.serialize(mask=False, extensions=[]) for frame in frames)


def parse_client_frame(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser: Generator[Any, Any, Frame] = Frame.parse(reader.read_exact, mask=True)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the frame was not whole")


def test_frames_split_anywhere_are_read_whole_and_in_order() -> None:
    small, medium, large = b"a" * 5, b"b" * 300, b"c" * 70_000
    data = server_bytes(Frame(Opcode.TEXT, small), Frame(Opcode.PING, b"hi"),
                        Frame(Opcode.TEXT, medium), Frame(Opcode.TEXT, large))
    for cut in (1, 2, 3, 9, 300, 4_000):
        reader = RawFrames()
        read = []
        for start in range(0, len(data), cut):
            read += reader.feed(data[start:start + cut])
        assert read == [(OP_TEXT, small), (OP_PING, b"hi"), (OP_TEXT, medium),
                        (OP_TEXT, large)], cut
        assert not reader.buffer


def test_fragments_are_joined_around_a_control_frame() -> None:
    data = server_bytes(Frame(Opcode.TEXT, b"one ", fin=False), Frame(Opcode.PING, b""),
                        Frame(Opcode.CONT, b"two ", fin=False), Frame(Opcode.CONT, b"three"))
    assert RawFrames().feed(data) == [(OP_PING, b""), (OP_TEXT, b"one two three")]


def test_the_clients_frames_are_masked_and_parse_back() -> None:
    for payload in (b"", b"pong", b'{"type": "ping", "last": 12}' * 5):
        data = masked_frame(OP_PONG if len(payload) < 5 else OP_TEXT, payload)
        assert data[1] & 0x80  # the mask bit
        assert payload == b"" or payload not in data
        assert parse_client_frame(data).data == payload
