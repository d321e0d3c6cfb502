"""A macro's steps: checked when a macro is saved, so running one fails only on what
changed since (an agent gone, a channel closed)."""

from __future__ import annotations

from typing import Any

from conversations.models import ConversationStatus, Priority

STEP_TYPES = ("reply", "note", "add_tags", "remove_tags", "status", "assign", "team", "priority")
MAX_STEPS = 20


def _text(step: dict[str, Any], n: int) -> str:
    text = step.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
        raise ValueError(f"step {n}: text must be 1 to 20,000 characters")
    return text


def _optional_id(step: dict[str, Any], key: str, n: int) -> int | None:
    value = step.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
        raise ValueError(f"step {n}: {key} must be an id or null")
    return value


def clean_step(step: Any, n: int) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise ValueError(f"step {n}: must be an object with a type")
    kind = step.get("type")
    if kind not in STEP_TYPES:
        raise ValueError(f"step {n}: type must be one of {', '.join(STEP_TYPES)}")
    if kind == "reply":
        channel = step.get("channel") or ""
        if not isinstance(channel, str):
            raise ValueError(f"step {n}: channel must be text")
        return {"type": kind, "text": _text(step, n), **({"channel": channel} if channel else {})}
    if kind == "note":
        return {"type": kind, "text": _text(step, n)}
    if kind in ("add_tags", "remove_tags"):
        tags = step.get("tags")
        if (not isinstance(tags, list) or not tags
                or not all(isinstance(t, str) and t.strip() and len(t) <= 50 for t in tags)):
            raise ValueError(f"step {n}: tags must be a list of 1-50 character words")
        return {"type": kind, "tags": [t.strip() for t in tags][:20]}
    if kind == "status":
        status = step.get("status")
        if status not in ConversationStatus.values:
            choices = ", ".join(ConversationStatus.values)
            raise ValueError(f"step {n}: status must be one of {choices}")
        hours = step.get("snooze_hours", 24 if status == ConversationStatus.SNOOZED else None)
        if status == ConversationStatus.SNOOZED and (
            isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 90
        ):
            raise ValueError(f"step {n}: snooze_hours must be 1 to 2160")
        return {"type": kind, "status": status,
                **({"snooze_hours": hours} if status == ConversationStatus.SNOOZED else {})}
    if kind == "assign":
        return {"type": kind, "user_id": _optional_id(step, "user_id", n)}
    if kind == "team":
        return {"type": kind, "team_id": _optional_id(step, "team_id", n)}
    priority = step.get("priority")
    if isinstance(priority, bool) or priority not in Priority.values:
        raise ValueError(f"step {n}: priority must be 0, 1, 2 or 3")
    return {"type": kind, "priority": priority}


def clean_steps(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("actions must be a non-empty list of steps")
    if len(raw) > MAX_STEPS:
        raise ValueError(f"a macro has at most {MAX_STEPS} steps")
    return [clean_step(step, n) for n, step in enumerate(raw, start=1)]


def describe(step: dict[str, Any]) -> str:
    """One step in words, for the macro picker."""
    kind = step["type"]
    if kind == "reply":
        return "Reply" + (f" by {step['channel']}" if step.get("channel") else "")
    if kind == "note":
        return "Add a note"
    if kind == "add_tags":
        return "Tag " + ", ".join(step["tags"])
    if kind == "remove_tags":
        return "Untag " + ", ".join(step["tags"])
    if kind == "status":
        return f"Set status {step['status']}"
    if kind == "assign":
        return "Assign" if step["user_id"] else "Unassign"
    if kind == "team":
        return "Move team" if step["team_id"] else "Clear team"
    return f"Priority {Priority(step['priority']).label}"
