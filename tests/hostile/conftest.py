"""Fixtures of the hostile-input tests: row counts to prove a refused request wrote
nothing, a checker for dangerous HTML, and the hypothesis settings of property tests
(examples, seed and deadline come from the profile: tests/hypothesis_profiles.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import settings

from conversations.models import Conversation, Interaction
from customers.models import Customer
from tests.hypothesis_profiles import PROFILE

# The loaded profile's settings (HYPOTHESIS_PROFILE: bounded and derandomized by
# default, long and random on demand), for the property tests of this folder.
FUZZ = settings.get_profile(PROFILE)

DANGEROUS_HTML = [
    re.compile(r"<\s*script", re.IGNORECASE),
    re.compile(r"\son\w+\s*=", re.IGNORECASE),
    re.compile(r"javascript\s*:", re.IGNORECASE),
    re.compile(r"vbscript\s*:", re.IGNORECASE),
    re.compile(r"data\s*:\s*text/html", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),  # where expression() and url() would live
    re.compile(r"<\s*(svg|iframe|object|embed|style|link|meta|form|base)\b", re.IGNORECASE),
]


def dangerous_parts(html: str) -> list[str]:
    """What in `html` could run in an agent's browser (empty when it is safe)."""
    return [match.group(0) for rx in DANGEROUS_HTML for match in rx.finditer(html)]


BANNED_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "style", "link", "meta",
               "form", "base", "input", "body", "details"}
BANNED_SCHEMES = ("javascript:", "vbscript:", "data:")


class _MarkupAudit(HTMLParser):
    """Tags and attributes as a browser would see them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BANNED_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            compact = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            elif compact.startswith(BANNED_SCHEMES):
                self.found.append(f"{tag} {name}={value}")


def dangerous_markup(html: str) -> list[str]:
    """What in `html` a browser would run: banned tags, handlers, style, script URLs.
    Text that merely reads like code ("javascript:" in a sentence) is harmless."""
    audit = _MarkupAudit()
    audit.feed(html)
    audit.close()
    return audit.found


def row_counts() -> tuple[int, int, int]:
    return Interaction.objects.count(), Customer.objects.count(), Conversation.objects.count()


@pytest.fixture
def counts() -> Any:
    return row_counts


def clear_email_cache_keys() -> None:
    """The email channel's rate-limit and acknowledgement keys in this run's Redis db."""
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match="*channels_email:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _email_webhooks_drained(email_webhooks_drained: None) -> None:
    """An email webhook's message is spooled; the drain records it right after."""
