"""Which icon means what: one icon per channel and per SLA state, the same everywhere.

Icon names are Lucide's; the sprite (static/icons/sprite.svg, built by scripts/vendor.py)
holds exactly the icons listed there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders

from conversations.channels import INTERNAL, channel_specs, find_channel

SPRITE_PATH = "icons/sprite.svg"


@dataclass(frozen=True)
class ChannelStyle:
    icon: str
    label: str


# Each channel's icon and label come from its app's registration (conversations.channels);
# notes and system events are the core's own "internal" channel.
INTERNAL_CHANNEL = ChannelStyle("sticky-note", "Internal")
UNKNOWN_CHANNEL = ChannelStyle("circle-help", "Other channel")


@dataclass(frozen=True)
class SlaStyle:
    icon: str
    label: str


# Each state has its own icon and words as well as its colour: never colour alone.
SLA_STATES: dict[str, SlaStyle] = {
    "ok": SlaStyle("circle-check", "On track"),
    "at_risk": SlaStyle("clock-alert", "At risk"),
    "breached": SlaStyle("octagon-alert", "Breached"),
    "paused": SlaStyle("circle-pause", "Paused"),
    "met": SlaStyle("check-check", "Met"),
}


def channel_style(channel: str | None) -> ChannelStyle:
    kind = (channel or "").lower()
    if kind == INTERNAL:
        return INTERNAL_CHANNEL
    spec = find_channel(kind)
    return ChannelStyle(spec.icon, spec.label) if spec is not None else UNKNOWN_CHANNEL


def channel_styles() -> dict[str, ChannelStyle]:
    """Every installed channel's style, and the internal one, in registration order."""
    styles = {spec.kind: ChannelStyle(spec.icon, spec.label) for spec in channel_specs()}
    return {**styles, INTERNAL: INTERNAL_CHANNEL}


def sla_state(state: str | None) -> str:
    """The canonical key for an SLA state ("at-risk", "AT_RISK" -> "at_risk"); "" if unknown."""
    key = (state or "").strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in SLA_STATES else ""


@cache
def sprite_icons() -> frozenset[str]:
    """The icon names the sprite holds (read once per process)."""
    path = finders.find(SPRITE_PATH)
    if not path or isinstance(path, list):
        return frozenset()
    with open(path, encoding="utf-8") as sprite:
        return frozenset(re.findall(r'<symbol id="i-([a-z0-9-]+)"', sprite.read()))
