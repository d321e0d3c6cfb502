"""Decoding header values and MIME bodies as mail really arrives: RFC 2047 words,
raw 8-bit bytes, unknown or mislabelled charsets. Nothing here raises on bad input."""

from __future__ import annotations

import codecs
import contextlib
import re
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

# Charset labels seen in the wild that Python does not know, or knows by a narrower
# table than the senders actually use.
_CHARSET_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
}
_UNKNOWN = {"", "unknown-8bit", "x-unknown", "unknown", "default", "8bit", "x-user-defined"}


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in the declared charset, else UTF-8, else Windows-1252; never
    raises (the last resort replaces undecodable bytes)."""
    for candidate in _charset_candidates(charset):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _charset_candidates(charset: str | None) -> list[str]:
    label = (charset or "").strip().strip("\"'").lower()
    candidates: list[str] = []
    if label not in _UNKNOWN:
        label = _CHARSET_ALIASES.get(label, label)
        with contextlib.suppress(LookupError):
            candidates.append(codecs.lookup(label).name)
    # Declared ASCII that is not, is nearly always UTF-8 from a misconfigured client.
    for fallback in ("utf-8", "cp1252"):
        if fallback not in candidates:
            candidates.append(fallback)
    return candidates


_RAW_8BIT = re.compile("[\udc80-\udcff]")


def recover_8bit(value: str) -> str:
    """Header text parsed from bytes keeps raw 8-bit bytes as surrogates; decode them."""
    if not _RAW_8BIT.search(value):
        return value
    return decode_bytes(value.encode("ascii", errors="surrogateescape"))


_FOLD = re.compile(r"\r?\n[ \t]")


def unfold(value: str) -> str:
    return _FOLD.sub(" ", value).replace("\r", "").replace("\n", " ")


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def decode_header_text(raw: str | None) -> str:
    """A header value as a person reads it: unfolded, RFC 2047 decoded, 8-bit recovered."""
    if not raw:
        return ""
    value = recover_8bit(unfold(str(raw)))
    if not _ENCODED_WORD.search(value):
        return value.strip()
    try:
        chunks = decode_header(value)
    except Exception:  # any malformed encoded word: show it as it came
        return value.strip()
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    return "".join(parts).strip()


def raw_headers(message: Message, name: str) -> list[str]:
    """Every raw value of a header, without the policy's parsing (which can choke), and
    without NUL characters, which no database look-up or column accepts."""
    return list(_raw_header_index(message).get(name.lower(), ()))


# The message's headers by lowercased name, read once: receiving one email asks for
# about twenty of them, each a walk through every header otherwise. Received messages
# are read, never changed.
_INDEX = "_omnidesk_raw_headers"


def _raw_header_index(message: Message) -> dict[str, list[str]]:
    index: dict[str, list[str]] | None = message.__dict__.get(_INDEX)
    if index is None:
        index = {}
        try:
            items = message.raw_items()
            for key, value in items:
                index.setdefault(key.lower(), []).append(str(value).replace("\x00", ""))
        except Exception:  # a damaged header block
            index = {}
        message.__dict__[_INDEX] = index
    return index


def header_text(message: Message, name: str) -> str:
    """The first value of a header, decoded; "" when missing."""
    values = raw_headers(message, name)
    return decode_header_text(values[0]) if values else ""


def addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, lowercased address) of every address in the named headers."""
    found: list[tuple[str, str]] = []
    for name in names:
        for raw in raw_headers(message, name):
            found.extend(parse_addresses(raw))
    return found


def parse_addresses(raw: str) -> list[tuple[str, str]]:
    # Split before decoding RFC 2047 names: a decoded "Müller, Hans" would split in two.
    text = recover_8bit(unfold(raw))
    try:
        pairs = getaddresses([text])
    except Exception:  # getaddresses has raised on odd input in the past
        pairs = []
    result: list[tuple[str, str]] = []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").strip()
        if "@" not in addr or " " in addr:
            continue
        result.append((decode_header_text(name).strip('"').strip(), addr.lower()))
    if not result:
        # Broken syntax: take anything that looks like an address.
        for addr in re.findall(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+\.\w+", text):
            result.append(("", addr.lower()))
    return result


_MSGID = re.compile(r"<([^<>\s]+)>")


def message_ids(raw: str) -> list[str]:
    """The <ids> of a Message-ID/In-Reply-To/References value, in order, bare ids wrapped."""
    text = recover_8bit(unfold(raw))
    found = [f"<{inner}>" for inner in _MSGID.findall(text)]
    if not found:
        bare = text.strip()
        if bare and " " not in bare and "@" in bare:
            found = [f"<{bare}>"]
    return found


def header_date(message: Message) -> datetime | None:
    raw = header_text(message, "Date")
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def part_param(part: Message, param: str, header: str = "content-type") -> str:
    """A MIME parameter (RFC 2231 continuations and charsets included), decoded."""
    try:
        value = part.get_param(param, header=header)
    except Exception:  # a malformed parameter list
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):
        charset, _language, text = value
        raw = text.encode("latin-1", errors="surrogateescape") if isinstance(text, str) else b""
        return decode_bytes(raw, charset or "utf-8")
    return decode_header_text(str(value))
