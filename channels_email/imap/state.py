"""Where polling of one inbox's folder stands (ImapMailboxState): the only writes of IMAP
polling besides what the email adapter records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from channels_email.models import ImapMailboxState

if TYPE_CHECKING:
    from conversations.models import Inbox


def do_sync_uidvalidity(inbox: Inbox, folder: str, uidvalidity: int) -> tuple[int, bool]:
    """The last UID already handled under this UIDVALIDITY, and whether the server
    renumbered the folder since the last poll (stored UIDs then name other messages,
    so reading starts again from UID 1; the adapter's Message-ID dedupe keeps that
    from recording anything twice)."""
    with transaction.atomic():
        state, _ = ImapMailboxState.objects.select_for_update(no_key=True).get_or_create(
            inbox=inbox, folder=folder
        )
        if state.uidvalidity == uidvalidity:
            return state.last_uid, False
        renumbered = state.uidvalidity is not None
        state.uidvalidity = uidvalidity
        state.last_uid = 0
        state.save(update_fields=["uidvalidity", "last_uid"])
        return 0, renumbered


def lock_for_uid(inbox: Inbox, folder: str, uidvalidity: int, uid: int) -> ImapMailboxState | None:
    """Lock the folder's state for handling `uid`, inside the caller's transaction.

    None when another poller (a beat task next to a watcher) got past `uid` first or the
    folder was renumbered meanwhile: the message is then not this poller's to handle.
    The lock is held until the caller commits, so two pollers never handle one UID at once.
    """
    state = ImapMailboxState.objects.select_for_update(no_key=True).get(inbox=inbox, folder=folder)
    if state.uidvalidity != uidvalidity or state.last_uid >= uid:
        return None
    return state


def lock_for_uids(
    inbox: Inbox, folder: str, uidvalidity: int, uids: Sequence[int]
) -> tuple[ImapMailboxState, set[int]] | None:
    """lock_for_uid for a block of `uids` (ascending) in one statement: the state locked
    and those of `uids` still to handle, the ones another poller got past skipped. None
    when none of them are (all handled, or the folder renumbered meanwhile)."""
    state = lock_for_uid(inbox, folder, uidvalidity, uids[-1])
    if state is None:
        return None
    return state, {uid for uid in uids if uid > state.last_uid}


def do_advance(state: ImapMailboxState, uid: int) -> None:
    """Mark `uid` (and every UID below it) handled; call with the state locked by
    lock_for_uid or lock_for_uids."""
    state.last_uid = uid
    state.save(update_fields=["last_uid"])


def do_record_poll(inbox: Inbox, folder: str, error: str) -> None:
    ImapMailboxState.objects.update_or_create(
        inbox=inbox,
        folder=folder,
        defaults={"last_polled_at": timezone.now(), "last_error": error[:2000]},
    )
