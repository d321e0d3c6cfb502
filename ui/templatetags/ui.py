"""The design system's template tags: `{% load ui %}`.

    {% icon "mail" %}                              decorative (aria-hidden)
    {% icon "bell" label="Notifications" %}        an image with an accessible name
    {% icon "x" class="icon-sm" %}
    {% channel_icon "email" %}                     Email icon, named "Email"
    {% channel_icon conversation.waiting_on waiting=True %}
    {% channel_label "sms" %}                      icon and the word, side by side
    {% avatar user %}  {% avatar customer size="lg" %}  {% avatar None %} (unassigned)
    {% avatar agent presence="online" decorative=True %}
    {% reltime dt %}                               <time datetime=… title=absolute>3 min</time>
    {% reltime dt absolute=True %}                 <time …>Mon 30 Nov, 11:42</time>
    {% sla_chip "at_risk" due=dt %}  {% sla_chip state due=dt compact=True %}
    {{ name|initials }}

Everything is escaped here; the pages take no inline styles or scripts (CSP).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from functools import cache
from typing import Any

from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ui.icons import SLA_STATES, channel_style, sla_state, sprite_icons

register = template.Library()

AVATAR_HUES = 6


# ------------------------------------------------------------------ icons
@cache
def sprite_url() -> str:
    """The sprite's (hashed) URL, looked up once per process: a page draws hundreds of icons."""
    return static("icons/sprite.svg")


@register.simple_tag
def icon(name: str, label: str = "", **attrs: Any) -> SafeString:
    """An inline <svg> using the sprite's symbol. Without a label it is decorative and
    hidden from assistive technology; with one it is an image with that name."""
    known = sprite_icons()
    if known and name not in known:
        raise template.TemplateSyntaxError(
            f"icon {name!r} is not in the sprite: add it to ICONS in scripts/vendor.py"
        )
    css = " ".join(filter(None, ["icon", str(attrs.pop("class", ""))]))
    href = f"{sprite_url()}#i-{name}"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false">'
            '<use href="{}"></use></svg>',
            css, label, href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        css, href,
    )


@register.simple_tag
def channel_icon(channel: str | None, waiting: bool = False, size: str = "") -> SafeString:
    """The channel's icon, named for screen readers; `waiting` highlights the channel a
    customer is waiting on."""
    style = channel_style(channel)
    label = f"{style.label}, waiting for a reply" if waiting else style.label
    css = "channel-icon" + (" is-waiting" if waiting else "")
    return format_html(
        '<span class="{} channel-{}" title="{}">{}</span>',
        css, (channel or "other").lower(), label,
        icon(style.icon, label=label, **{"class": f"icon-{size}" if size else ""}),
    )


@register.simple_tag
def channel_label(channel: str | None) -> SafeString:
    style = channel_style(channel)
    return format_html(
        '<span class="channel-label">{} {}</span>',
        icon(style.icon, **{"class": "icon-sm"}), style.label,
    )


# ---------------------------------------------------------------- avatars
def display_name(person: Any) -> str:
    """A person's name whatever they are: a User, an Agent, a Customer or a string."""
    if person is None:
        return ""
    if isinstance(person, str):
        return person.strip()
    user = getattr(person, "user", None)
    if user is not None and hasattr(user, "get_full_name"):
        person = user
    if hasattr(person, "get_full_name"):
        return str(person.get_full_name() or person.get_username())
    name = getattr(person, "name", None) or getattr(person, "display_name", None)
    return str(name or person).strip()


@register.filter
def initials(name: Any) -> str:
    words = [w for w in display_name(name).replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar_hue(name: str) -> int:
    return zlib.crc32(name.encode()) % AVATAR_HUES


@register.simple_tag
def avatar(
    person: Any, size: str = "", presence: str = "", decorative: bool = False
) -> SafeString:
    """Initials in a circle of a colour picked from the name. None: "Unassigned"."""
    name = display_name(person)
    sizes = {"xs": " avatar-xs", "sm": " avatar-sm", "lg": " avatar-lg"}
    css = "avatar" + sizes.get(size, "")
    if not name:
        css += " avatar-unassigned"
        name, letters, hue = "Unassigned", "", 0
        inner = icon("user", **{"class": "icon-sm"})
    else:
        letters, hue = initials(name), avatar_hue(name)
        inner = format_html('<span aria-hidden="true">{}</span>', letters)
    label = f"{name} ({presence})" if presence else name
    presence_attr = format_html(' data-presence="{}"', presence) if presence else ""
    if decorative:
        return format_html(
            '<span class="{}" data-hue="{}"{} aria-hidden="true">{}</span>',
            css, hue, presence_attr, inner,
        )
    return format_html(
        '<span class="{}" data-hue="{}"{} role="img" aria-label="{}" title="{}">{}</span>',
        css, hue, presence_attr, label, label, inner,
    )


# ------------------------------------------------------------------ times
# English day and month names, as Django's date formats print them: formatted here with
# plain string operations, since a page shows a hundred times and dateformat costs ~0.1 ms.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_month(local: datetime) -> str:
    return f"{local.day} {_MONTHS[local.month - 1]}"


def absolute_time(value: datetime) -> str:
    """In the agent's time zone (the active one), e.g. "Mon 30 Nov 2026, 11:42 UTC"."""
    local = timezone.localtime(value)
    return (f"{_DAYS[local.weekday()]} {_day_month(local)} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d} {local.tzname() or ''}".rstrip())


def short_duration(seconds: float) -> str:
    """3 min, 2 h, 4 d: what fits in a list row."""
    seconds = abs(seconds)
    if seconds < 60:
        return "<1 min"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """How long ago (or, for a future time, how soon) in list-row words."""
    now = now or timezone.now()
    delta = (now - value).total_seconds()
    if abs(delta) < 60:
        return "now"
    if abs(delta) >= 7 * 86400:
        local = timezone.localtime(value)
        same_year = local.year == timezone.localtime(now).year
        return _day_month(local) if same_year else f"{_day_month(local)} {local.year}"
    text = short_duration(delta)
    return f"in {text}" if delta < 0 else text


@register.simple_tag
def reltime(value: datetime | None, absolute: bool = False) -> SafeString:
    """<time> with the exact moment in datetime= and on hover (title); the text is
    relative ("3 min", kept fresh by static/js/ui.js) unless absolute=True."""
    if not isinstance(value, datetime):
        return format_html('<span class="muted">{}</span>', "—")
    exact = absolute_time(value)
    if absolute:
        local = timezone.localtime(value)
        same_year = local.year == timezone.localtime().year
        clock = f"{local.hour:02d}:{local.minute:02d}"
        shown = (f"{_DAYS[local.weekday()]} {_day_month(local)}, {clock}" if same_year
                 else f"{_day_month(local)} {local.year}, {clock}")
        return format_html(
            '<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, shown
        )
    return format_html(
        '<time datetime="{}" title="{}" data-reltime>{}</time>',
        value.isoformat(), exact, relative_time(value),
    )


# --------------------------------------------------------------- SLA chip
def _sla_time(state: str, due: datetime | None, now: datetime) -> str:
    if due is None or state not in ("ok", "at_risk", "breached"):
        return ""
    seconds = (due - now).total_seconds()
    if state == "breached" or seconds < 0:
        return f"{short_duration(seconds)} over"
    return f"{short_duration(seconds)} left"


@register.simple_tag
def sla_chip(
    state: str | None, due: datetime | None = None, compact: bool = False,
    risk: datetime | None = None,
) -> SafeString:
    """The SLA chip: an icon and words for each state (ok, at_risk, breached, paused, met)
    as well as its colour, and the time left (or over) when a due time is known.
    `compact` keeps the words for screen readers and the tooltip and shows the time.
    `risk`: when an on-track chip turns "at risk" (static/js/ui.js flips it then)."""
    key = sla_state(state)
    if not key:
        return SafeString("")
    if not isinstance(due, datetime):  # a partial included without one passes ""
        due = None
    style = SLA_STATES[key]
    time_text = _sla_time(key, due, timezone.now())
    title = f"SLA {style.label.lower()}"
    if due is not None:
        title += f": reply due {absolute_time(due)}"
    label_css = "sla-label visually-hidden" if compact and time_text else "sla-label"
    parts = [
        icon(style.icon),
        format_html(
            '<span class="visually-hidden">SLA </span><span class="{}">{}</span>',
            label_css, style.label,
        ),
    ]
    if time_text:
        if not compact:
            parts.append(SafeString('<span class="sla-sep" aria-hidden="true">·</span>'))
        parts.append(format_html('<span class="sla-time">{}</span>', time_text))
    due_attr = format_html(' data-sla-due="{}"', due.isoformat()) if due is not None else ""
    if isinstance(risk, datetime) and key == "ok":
        due_attr = format_html('{} data-sla-risk="{}"', due_attr, risk.isoformat())
    return format_html(
        '<span class="sla sla-{}" data-sla-state="{}"{} title="{}">{}</span>',
        key, key, due_attr, title, format_html_join("", "{}", ((p,) for p in parts)),
    )


@register.simple_tag
def sla_states() -> list[str]:
    """Every SLA state, in order (for the style guide and filters)."""
    return list(SLA_STATES)


# ------------------------------------------------------------------ forms
@register.simple_tag
def field_widget(field: Any, **attrs: Any) -> SafeString:
    """A form field's widget with the design system's class, its errors and hint tied to
    it (aria-invalid, aria-describedby). Used by components/field.html."""
    widget = field.field.widget
    kind = type(widget).__name__
    if kind in ("Select", "SelectMultiple", "NullBooleanSelect"):
        css = "select"
    elif kind == "Textarea":
        css = "textarea"
    elif kind in ("CheckboxInput", "RadioSelect", "CheckboxSelectMultiple"):
        css = ""
    else:
        css = "input"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    final: dict[str, Any] = {"class": " ".join(filter(None, [css, attrs.pop("class", "")]))}
    if field.errors:
        final["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        final["aria-describedby"] = " ".join(described)
    final.update(attrs)
    return SafeString(field.as_widget(attrs=final))
