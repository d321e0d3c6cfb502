"""Creating and changing inboxes (channel accounts), for admins."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from conversations.channels import validate_inbox_config
from conversations.models import Inbox

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "slug", "address", "team", "is_active", "config", "secrets")


class InvalidInboxConfig(ValueError):
    """The config does not suit the inbox's kind; the message says why."""


def _clean_config(kind: str, config: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return validate_inbox_config(kind, config)
    except ValueError as exc:
        raise InvalidInboxConfig(str(exc)) from exc


def do_create_inbox(*, by: AbstractBaseUser, kind: str, **fields: Any) -> Inbox:
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    values["config"] = _clean_config(kind, values.get("config"))
    with transaction.atomic():
        inbox = Inbox.objects.create(kind=kind, **values)
    logger.info("inbox %s (%s) created by %s", inbox.pk, kind, by.get_username())
    return inbox


def do_update_inbox(inbox: Inbox, *, by: AbstractBaseUser, changes: dict[str, Any]) -> Inbox:
    with transaction.atomic():
        inbox = Inbox.objects.select_for_update(no_key=True).get(pk=inbox.pk)
        for key, value in changes.items():
            if key in EDITABLE_FIELDS:
                setattr(inbox, key, value)
        if "config" in changes:
            inbox.config = _clean_config(inbox.kind, inbox.config)
        inbox.save()
    logger.info("inbox %s changed by %s: %s", inbox.pk, by.get_username(), sorted(changes))
    return inbox


def do_deactivate_inbox(inbox: Inbox, *, by: AbstractBaseUser) -> Inbox:
    """An inbox is switched off, never deleted: its interactions keep naming it, and its
    provider ids keep de-duplicating retries that arrive late."""
    return do_update_inbox(inbox, by=by, changes={"is_active": False})


def do_rotate_inbox_token(inbox: Inbox, *, by: AbstractBaseUser) -> str:
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        Inbox.objects.filter(pk=inbox.pk).update(token=token)
    logger.info("inbox %s token rotated by %s", inbox.pk, by.get_username())
    return token
