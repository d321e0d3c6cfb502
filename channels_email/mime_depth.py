"""Messages nested too deep for Python's email package, read anyway.

The stdlib parser recurses once per level of MIME nesting (multipart inside multipart,
or message/rfc822 inside one) and its serializer several times per level: a message
nested about a thousand levels deep raises RecursionError before anything could be
kept. No real mail client nests more than a few levels (a forward of a forward adds
two), so a message nested deeper than MAX_DEPTH is first flattened here, without
recursion: its top headers over one multipart/mixed that holds every leaf part in its
original order. What was flattened is said in a note (ParsedEmail.flattened), and the
message as received stays in the interaction's raw file.

anymail parses raw MIME itself before our receivers see it (SendGrid, Mailgun,
SparkPost, Postal, SES, ...), so its three raw-MIME constructors are routed through
the same check (cap_anymail_mime_depth, from AppConfig.ready); a message flattened
there carries a signed X-Omnidesk-Flattened header that parse_email reads back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from typing import Any

from django.utils.crypto import constant_time_compare, salted_hmac

MAX_DEPTH = 64
FLATTENED_HEADER = "X-Omnidesk-Flattened"
_SALT = "channels_email.mime-flattened"

# Each level of nesting declares a multipart or message type (a multipart/digest's
# children are message/rfc822 by default, two levels per declaration): fewer such
# declarations than MAX_DEPTH // 2 cannot nest too deep, and the tokenizer is skipped.
_CONTAINER_TYPE = re.compile(rb"content-type:\s*(multipart|message)/", re.IGNORECASE)
_CONTAINER_TYPE_TEXT = re.compile(r"content-type:\s*(multipart|message)/", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_DROPPED_TOP_HEADERS = {"content-type", "content-transfer-encoding", "mime-version"}


@dataclass(frozen=True)
class Flattening:
    levels: int  # how deep the message nested its parts
    parts: int  # leaf parts kept, in order, one level deep

    @property
    def note(self) -> str:
        return (
            f"This message nested its MIME parts {self.levels} levels deep (omnidesk reads "
            f"{MAX_DEPTH}); they were flattened: its {self.parts} parts are kept in their "
            "order, one level deep."
        )


def may_be_too_deep(raw: bytes) -> bool:
    return len(_CONTAINER_TYPE.findall(raw)) > MAX_DEPTH // 2


def shallow_mime(raw: bytes) -> tuple[bytes, Flattening | None]:
    """`raw` itself when it nests at most MAX_DEPTH levels; else the flattened message
    (which the stdlib parser reads) and what was done."""
    if not may_be_too_deep(raw):
        return raw, None
    top, leaves, levels = _tokenize(raw)
    if levels <= MAX_DEPTH:
        return raw, None
    flattening = Flattening(levels=levels, parts=len(leaves))
    return _assemble(top, leaves, flattening, raw), flattening


def flattened_by_header(value: str) -> Flattening | None:
    """What an X-Omnidesk-Flattened header of ours says; None for anyone else's."""
    match = re.fullmatch(r"\s*(\d+) levels, (\d+) parts; ([0-9a-f]{20})\s*", value or "")
    if match is None:
        return None
    levels, parts, signature = match.groups()
    if not constant_time_compare(signature, _signature(int(levels), int(parts))):
        return None
    return Flattening(levels=int(levels), parts=int(parts))


def _signature(levels: int, parts: int) -> str:
    return salted_hmac(_SALT, f"{levels}.{parts}").hexdigest()[:20]


# --- An iterative MIME tokenizer -------------------------------------------------------


@dataclass
class _Leaf:
    headers: list[bytes]
    body: list[bytes]


def _tokenize(raw: bytes) -> tuple[list[bytes], list[_Leaf], int]:
    """One pass over the lines, with an explicit stack of open multipart boundaries
    instead of recursion: the top header lines, every leaf part (header lines, body
    lines) in order, and the deepest nesting seen."""
    lines = raw.splitlines(keepends=True)
    stack: list[tuple[bytes, int, bool]] = []  # (boundary, its depth, is a digest)
    leaves: list[_Leaf] = []
    top: list[bytes] = []
    current = _Leaf([], [])
    state, depth, deepest = "headers", 0, 0
    default_message = False  # the part being read belongs to a multipart/digest
    is_top = True
    for line in lines:
        found = _delimiter(line, stack)
        if found is not None:
            index, closing = found
            if state in ("headers", "body"):
                leaves.append(current)
            boundary, level, digest = stack[index]
            del stack[index + 1 :]
            if closing:
                stack.pop()
                state = "skip"  # the epilogue, until an outer delimiter
            else:
                current, state, depth = _Leaf([], []), "headers", level
                default_message = digest
            continue
        if state == "skip":
            continue
        if state == "body":
            current.body.append(line)
            continue
        # Reading a header block: of the message, or of a part.
        if line.strip() == b"" or not (_HEADER_LINE.match(line) or line[:1] in (b" ", b"\t")):
            opened = _opened_container(current.headers, default_message)
            if is_top:
                top, is_top = current.headers, False
                if opened is None:
                    return top, [], 0  # a single-part message nests nothing
            if opened is None:
                state = "body"
                if line.strip():
                    current.body.append(line)
                continue
            kind, boundary = opened
            depth += 1
            deepest = max(deepest, depth)
            if kind == "message":
                # The body is a message of its own: its header block comes next.
                current, state, default_message = _Leaf([], []), "headers", False
                if line.strip():
                    current.headers.append(line)
            else:
                stack.append((boundary, depth, kind == "digest"))
                current, state = _Leaf([], []), "skip"  # the preamble
            continue
        current.headers.append(line)
    if state in ("headers", "body") and (current.headers or current.body):
        leaves.append(current)
    return top, leaves, deepest


def _delimiter(line: bytes, stack: list[tuple[bytes, int, bool]]) -> tuple[int, bool] | None:
    if not stack or not line.startswith(b"--"):
        return None
    text = line.rstrip(b"\r\n").rstrip(b" \t")[2:]
    closing = text.endswith(b"--")
    for index in range(len(stack) - 1, -1, -1):
        boundary = stack[index][0]
        if text == boundary:
            return index, False
        if closing and text[:-2] == boundary:
            return index, True
    return None


def _opened_container(headers: list[bytes], default_message: bool) -> tuple[str, bytes] | None:
    """("multipart" or "digest", boundary) or ("message", b"") when this header block
    opens a container; None for a leaf."""
    if not headers and default_message:
        return "message", b""
    parsed = BytesHeaderParser(policy=policy.compat32).parsebytes(b"".join(headers) + b"\r\n")
    if "content-type" not in parsed:
        return ("message", b"") if default_message else None
    ctype = parsed.get_content_type()
    if ctype.startswith("multipart/"):
        boundary = parsed.get_boundary()
        if not boundary:
            return None
        encoded = boundary.encode("utf-8", "surrogateescape")
        return ("digest" if ctype == "multipart/digest" else "multipart"), encoded
    if ctype.startswith("message/") and ctype != "message/delivery-status":
        return "message", b""
    return None


def _assemble(top: list[bytes], leaves: list[_Leaf], flattening: Flattening, raw: bytes) -> bytes:
    boundary = b"omnidesk-flat-" + secrets.token_hex(12).encode()
    while boundary in raw:  # pragma: no cover - 96 random bits
        boundary = b"omnidesk-flat-" + secrets.token_hex(12).encode()
    kept = [line for line in _header_fields(top) if not _named(line, _DROPPED_TOP_HEADERS)]
    kept = [line for line in kept if not _named(line, {FLATTENED_HEADER.lower()})]
    signature = _signature(flattening.levels, flattening.parts)
    out = [*kept,
           f"{FLATTENED_HEADER}: {flattening.levels} levels, {flattening.parts} parts; "
           f"{signature}\r\n".encode(),
           b"MIME-Version: 1.0\r\n",
           b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n',
           b"\r\n"]
    for leaf in leaves:
        out.append(b"--" + boundary + b"\r\n")
        out.extend(_ended(line) for line in leaf.headers)
        out.append(b"\r\n")
        # The line break before a delimiter belongs to the delimiter (RFC 2046).
        out.append(_without_last_break(b"".join(leaf.body)))
        out.append(b"\r\n")
    out.append(b"--" + boundary + b"--\r\n")
    return b"".join(out)


def _without_last_break(body: bytes) -> bytes:
    if body.endswith(b"\r\n"):
        return body[:-2]
    return body[:-1] if body.endswith((b"\n", b"\r")) else body


def _header_fields(lines: list[bytes]) -> list[bytes]:
    """Header lines joined with their continuation lines, one field per item."""
    fields: list[bytes] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += _ended(line)
        else:
            fields.append(_ended(line))
    return fields


def _named(field: bytes, names: set[str]) -> bool:
    name = field.split(b":", 1)[0].strip().lower().decode("latin-1")
    return name in names


def _ended(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\r\n"


# --- anymail -------------------------------------------------------------------------


def cap_anymail_mime_depth() -> None:
    """Route anymail's raw-MIME constructors through shallow_mime. They take a str, bytes
    or an iterable of byte chunks; only a message that may be too deep costs anything."""
    from anymail.inbound import AnymailInboundMessage

    if getattr(AnymailInboundMessage, "_omnidesk_depth_capped", False):
        return
    original_str = AnymailInboundMessage.parse_raw_mime.__func__  # type: ignore[attr-defined]
    original_bytes = AnymailInboundMessage.parse_raw_mime_bytes.__func__  # type: ignore[attr-defined]

    def _flat(cls: Any, raw: bytes) -> Any:
        flat, _done = shallow_mime(raw)
        return original_bytes(cls, flat)

    def parse_raw_mime(cls: Any, s: str) -> Any:
        if len(_CONTAINER_TYPE_TEXT.findall(s)) <= MAX_DEPTH // 2:
            return original_str(cls, s)
        return _flat(cls, s.encode("utf-8", "surrogateescape"))

    def parse_raw_mime_bytes(cls: Any, b: bytes) -> Any:
        return _flat(cls, b)

    def parse_raw_mime_chunks(cls: Any, chunks: Iterable[bytes]) -> Any:
        return _flat(cls, b"".join(chunks))

    AnymailInboundMessage.parse_raw_mime = classmethod(parse_raw_mime)  # type: ignore[assignment,method-assign]
    AnymailInboundMessage.parse_raw_mime_bytes = classmethod(parse_raw_mime_bytes)  # type: ignore[assignment,method-assign]
    AnymailInboundMessage.parse_raw_mime_chunks = classmethod(parse_raw_mime_chunks)  # type: ignore[assignment,method-assign]
    AnymailInboundMessage._omnidesk_depth_capped = True  # type: ignore[attr-defined]
