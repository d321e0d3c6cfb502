"""Long-running watchers: one thread per IMAP inbox keeps a connection open, polls, then
waits for new mail with IDLE where the server offers it, otherwise for the inbox's poll
interval. Errors close the connection and retry with back-off. Waiting happens only
here, on the stop Event or on the socket, never with time.sleep."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from django.db import close_old_connections, connection
from imapclient import IMAPClient

from channels_email.conf import EMAIL_INBOX
from channels_email.config import ImapSettings
from channels_email.imap import conf
from channels_email.imap.client import (
    ImapConfigError,
    close_quietly,
    connect,
    describe_error,
    is_imap_inbox,
    load_settings,
)
from channels_email.imap.poller import PollReport, ReceiveFn, poll_mailbox
from channels_email.imap.state import do_record_poll
from conversations.models import Inbox

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
# How often a thread in IDLE looks at its stop Event: bounds how long stopping takes.
IDLE_CHECK_SECONDS = 1.0
# Untagged responses during IDLE that do not mean new mail: keep-alives, flag changes,
# expunges by other clients.
_QUIET_RESPONSES = {b"OK", b"FETCH", b"EXPUNGE", b"RECENT"}


class _Reconnect(Exception):
    pass


class _Stop(Exception):
    pass


def imap_inboxes(slug: str | None = None) -> list[Inbox]:
    """Active email inboxes with IMAP configured (optionally only the one named)."""
    inboxes = Inbox.objects.filter(kind=EMAIL_INBOX, is_active=True).order_by("slug")
    if slug is not None:
        inboxes = inboxes.filter(slug=slug)
    return [inbox for inbox in inboxes if is_imap_inbox(inbox)]


class ImapWatcher(threading.Thread):
    """Watches one inbox until `stop_event` is set (or the inbox stops using IMAP)."""

    def __init__(
        self, inbox_id: int, stop_event: threading.Event, receive: ReceiveFn | None = None
    ) -> None:
        super().__init__(name=f"imap-watcher-{inbox_id}", daemon=True)
        self.inbox_id = inbox_id
        self.stop_event = stop_event
        self.receive = receive
        # Set while the server holds this watcher in IDLE (tests wait on it).
        self.idling = threading.Event()
        self.last_report: PollReport | None = None
        self._polled_since_error = False

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        backoff = FIRST_BACKOFF
        try:
            while not self.stop_event.is_set():
                try:
                    self._session()
                except _Stop:
                    return
                except Exception as exc:
                    logger.warning(
                        "IMAP watcher of inbox %s: %s; reconnecting in %.0f s",
                        self.inbox_id,
                        describe_error(exc),
                        backoff,
                    )
                    self._record_error(exc)
                    if self._polled_since_error:
                        # A connection that worked for a while broke: not a failing server.
                        backoff, self._polled_since_error = FIRST_BACKOFF, False
                    if self.stop_event.wait(backoff):
                        return
                    backoff = min(backoff * 2, conf.max_backoff_seconds())
                else:
                    backoff = FIRST_BACKOFF
        finally:
            self.idling.clear()
            connection.close()  # this thread's own database connection

    def _settings(self) -> tuple[Inbox, ImapSettings]:
        close_old_connections()
        inbox = Inbox.objects.filter(pk=self.inbox_id, is_active=True).first()
        if inbox is None or not is_imap_inbox(inbox):
            logger.info("inbox %s no longer polls IMAP; its watcher stops", self.inbox_id)
            raise _Stop
        return inbox, load_settings(inbox)

    def _session(self) -> None:
        """One connection: poll, wait, poll again, until an error, a stop or a change of
        the inbox's IMAP settings (the connection is then made anew)."""
        inbox, settings = self._settings()
        client = connect(settings)
        try:
            while not self.stop_event.is_set():
                report = poll_mailbox(client, inbox, settings, self.receive)
                self.last_report = report
                if report.connection_lost:
                    raise _Reconnect(report.error)
                self._polled_since_error = True
                # After a poll that fetched mail, poll again at once: more may have come
                # meanwhile, and IDLE only announces what arrives after it starts.
                if not (report.ok and report.fetched):
                    self._wait(client, settings, report)
                inbox, current = self._settings()
                if current != settings:
                    return
        finally:
            close_quietly(client)

    def _wait(self, client: IMAPClient, settings: ImapSettings, report: PollReport) -> None:
        if report.ok and client.has_capability("IDLE"):
            self._idle(client, conf.idle_seconds())
        else:
            # No IDLE, or a message that could not be kept: retry after the interval.
            self.stop_event.wait(settings.poll_interval)

    def _idle(self, client: IMAPClient, seconds: float) -> None:
        """Hold the connection in IDLE until new mail is announced, `seconds` pass or
        the watcher is stopped."""
        client.idle()
        self.idling.set()
        try:
            deadline = time.monotonic() + seconds
            while not self.stop_event.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                step = min(IDLE_CHECK_SECONDS, remaining)
                started = time.monotonic()
                responses = client.idle_check(timeout=step)
                if any(_announces_change(response) for response in responses):
                    break
                if not responses and time.monotonic() - started < step / 2:
                    # The socket was readable but held no response: the server hung up.
                    # Leaving IDLE surfaces it as an error, and the watcher reconnects.
                    break
        finally:
            self.idling.clear()
        client.idle_done()

    def _record_error(self, exc: Exception) -> None:
        if isinstance(exc, _Reconnect):
            return  # poll_mailbox already recorded it
        try:
            inbox = Inbox.objects.get(pk=self.inbox_id)
            folder = load_settings(inbox).folder
            do_record_poll(inbox, folder, describe_error(exc))
        except (Inbox.DoesNotExist, ImapConfigError):
            pass
        except Exception:
            logger.exception("could not record the IMAP error of inbox %s", self.inbox_id)


def _announces_change(response: tuple[object, ...]) -> bool:
    # New mail is "* n EXISTS"; a "* BYE" or anything unexpected also ends the IDLE.
    return not (
        len(response) >= 2 and (response[0] in _QUIET_RESPONSES or response[1] in _QUIET_RESPONSES)
    )


def start_imap_watchers(
    stop_event: threading.Event | None = None,
    *,
    slug: str | None = None,
    receive: ReceiveFn | None = None,
    running: Iterable[ImapWatcher] = (),
) -> list[ImapWatcher]:
    """Start one daemon thread per active IMAP inbox that has no live watcher in
    `running`; set `stop_event` (or call any watcher's stop()) to end them all."""
    stop_event = stop_event or threading.Event()
    close_old_connections()
    watched = {watcher.inbox_id for watcher in running if watcher.is_alive()}
    watchers = [
        ImapWatcher(inbox.pk, stop_event, receive)
        for inbox in imap_inboxes(slug)
        if inbox.pk not in watched
    ]
    for watcher in watchers:
        watcher.start()
    return watchers
