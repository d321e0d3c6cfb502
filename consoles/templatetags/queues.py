"""Filters of the queues page: a wait in words, a share as a percentage."""

from __future__ import annotations

from django import template

from consoles.queues import wait_text

register = template.Library()


@register.filter
def wait(seconds: float | None) -> str:
    return wait_text(seconds)


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
