"""Separating the new text of a reply from quoted history and the signature.

The timeline shows what the customer wrote this time; the full message stays in the
interaction's meta (full_text, full_html) and in the raw bytes. Each rule below is the
quoting habit of a mail client seen in real replies.
"""

from __future__ import annotations

import re

# "On Mon, 6 Jan 2025 at 10:00, Dana <dana@example.com> wrote:" (Gmail, Apple Mail,
# Thunderbird) and its translations; clients wrap it over two or three lines.
_ATTRIBUTION_START = re.compile(
    r"^\s*(On|Le|Am|El|Op|Il|Em|Den|Dne|W dniu|Vào|在)\b.*", re.IGNORECASE
)
_ATTRIBUTION_END = re.compile(
    r"(wrote|a écrit|schrieb|escribió|schreef|ha scritto|escreveu|skrev|napsal|napisał|"
    r"kirjoitti|写道)\s*:?\s*$",
    re.IGNORECASE,
)
# Outlook and others: a separator line before the forwarded header block.
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|"
    r"Mensaje original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
# Outlook's header block: "From: …" followed closely by "Sent: …" / "Date: …".
_FROM_LINE = re.compile(r"^\s*\*?(From|Von|De|Van|Da|Från|Fra)\s*:\*?\s+\S", re.IGNORECASE)
_SENT_LINE = re.compile(
    r"^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Skickat|Sendt)"
    r"\s*:\*?\s+\S",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(-- ?|—— ?)$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(Sent from my \S.*|Sent from (Mail|Outlook|Yahoo Mail) for .+|Get Outlook for .+|"
    r"Envoyé de mon .+|Von meinem .+ gesendet)\s*$",
    re.IGNORECASE,
)


def split_reply(text: str) -> str:
    """The new part of a plain-text reply; the whole text when nothing new stands apart."""
    lines = text.split("\n")
    cut = _quote_start(lines)
    new_lines = _without_signature(lines[:cut])
    new = "\n".join(new_lines).strip()
    return new or text.strip()


def _quote_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _is_attribution(lines, index) or _SEPARATOR.match(line):
            return index
        if _FROM_LINE.match(line) and any(
            _SENT_LINE.match(following) for following in lines[index + 1 : index + 5]
        ):
            return index
    return _trailing_quote_start(lines)


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not _ATTRIBUTION_START.match(line):
        return False
    # The attribution may wrap: look at this line and the next two joined.
    for span in range(1, 4):
        joined = " ".join(part.strip() for part in lines[index : index + span])
        if _ATTRIBUTION_END.search(joined):
            return span == 1 or not any(lines[index + k].strip() == "" for k in range(span))
    return False


def _trailing_quote_start(lines: list[str]) -> int:
    """Where a final block of ">"-quoted lines starts. Replies written between quotes
    (interleaved) have no such final block and are kept whole."""
    start = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            start = index
        elif stripped and start != len(lines):
            break
        elif stripped:
            return len(lines)
    # "Am 06.01.25 um 16:05 schrieb Support:" introduces the quote: it goes with it.
    if start == len(lines):
        return start
    previous = start - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if (
        previous >= 0
        and lines[previous].rstrip().endswith(":")
        and _ATTRIBUTION_START.match(lines[previous])
    ):
        return previous
    return start


def _without_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line.rstrip("\n")):
            lines = lines[:index]
            break
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines and _MOBILE_SIGNATURE.match(lines[-1]):
        lines = lines[:-1]
    return lines


# Where quoted history begins in the HTML of common clients.
_HTML_QUOTE_MARKERS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"<div[^>]*\bclass=\"?[^\">]*\bgmail_quote\b",  # Gmail
        r"<blockquote[^>]*\btype=\"?cite\b",  # Apple Mail, Thunderbird
        r"<div[^>]*\bclass=\"?[^\">]*\bmoz-cite-prefix\b",  # Thunderbird attribution
        r"<div[^>]*\bid=\"?appendonsend\b",  # Outlook (web and new Outlook)
        r"<div[^>]*\bid=\"?divRplyFwdMsg\b",  # Outlook
        r"<div[^>]*\bid=\"?mail-editor-reference-message-container\b",  # Outlook (Mac)
        r"<div[^>]*\bstyle=\"?border:\s*none;\s*border-top:\s*solid\s+#[0-9a-f]{6}\s+1\.0pt",
        r"<div[^>]*\bclass=\"?[^\">]*\byahoo_quoted\b",  # Yahoo
    )
]
_TAGS = re.compile(r"<[^>]+>")
_INVISIBLE = re.compile(r"<(head|style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def trim_html_quote(html: str) -> str:
    """The HTML before the quoted history of the first client marker found; the whole
    HTML when no marker is found or nothing visible would be left."""
    positions = [m.start() for marker in _HTML_QUOTE_MARKERS if (m := marker.search(html))]
    if not positions:
        return html
    trimmed = html[: min(positions)]
    visible = _TAGS.sub("", _INVISIBLE.sub("", trimmed)).replace("&nbsp;", " ").strip()
    return trimmed if visible or "<img" in trimmed.lower() else html
