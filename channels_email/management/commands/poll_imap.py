"""`manage.py poll_imap [--once] [--inbox SLUG]`: read email inboxes' IMAP mailboxes.

--once polls each inbox one time and prints a line per inbox (for cron); without it,
one watcher thread per inbox runs until interrupted (IDLE, or the inbox's poll interval).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels_email.imap.poller import poll_inbox
from channels_email.imap.watcher import imap_inboxes, start_imap_watchers

JOIN_SECONDS = 30
RESCAN_SECONDS = 60


class Command(BaseCommand):
    help = "Poll email inboxes' IMAP mailboxes: once, or continuously with IDLE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="poll each inbox one time, print a line per inbox, and exit",
        )
        parser.add_argument("--inbox", metavar="SLUG", help="only this inbox")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["inbox"]
        if not imap_inboxes(slug):
            raise CommandError(
                f"no active email inbox {slug!r} with IMAP configured"
                if slug
                else "no active email inbox has IMAP configured"
            )
        if options["once"]:
            self._poll_once(slug)
        else:
            self._watch(slug)

    def _poll_once(self, slug: str | None) -> None:
        failed = 0
        for inbox in imap_inboxes(slug):
            report = poll_inbox(inbox)
            failed += not report.ok
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            self.stdout.write(style(report.summary()))
        if failed:
            raise CommandError(f"{failed} inbox(es) could not be polled completely")

    def _watch(self, slug: str | None) -> None:
        stop = threading.Event()
        # SIGTERM (a service manager stopping us) ends the watchers as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        watchers = start_imap_watchers(stop, slug=slug)
        self.stdout.write(f"Watching {len(watchers)} IMAP inbox(es); Ctrl-C to stop.")
        try:
            # Inboxes configured later get a watcher without a restart.
            while not stop.wait(RESCAN_SECONDS):
                watchers = [watcher for watcher in watchers if watcher.is_alive()]
                started = start_imap_watchers(stop, slug=slug, running=watchers)
                for watcher in started:
                    self.stdout.write(f"Watching inbox {watcher.inbox_id} too.")
                watchers += started
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            for watcher in watchers:
                watcher.join(JOIN_SECONDS)
        self.stdout.write("Stopped.")
