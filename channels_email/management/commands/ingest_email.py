"""python manage.py ingest_email [--inbox SLUG] [--batch N] [FILE ...]

Records raw RFC 822 messages, one per file, or one from standard input (an MTA's pipe
transport). Files are recorded N at a time in one transaction each
(channels_email.receive.receive_raw_emails: a batch that fails is recorded again one
message at a time). Prints one line per message; exits 1 only when a message could not
be kept, so an MTA keeps it queued and tries again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels_email.conf import EMAIL_INBOX
from channels_email.receive import ReceiveOutcome, receive_raw_emails
from conversations.models import Inbox

BATCH = 50


class Command(BaseCommand):
    help = "Record raw RFC 822 email messages from files or standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="message files; none: read standard input")
        parser.add_argument("--inbox", help="slug of the email inbox (default: by recipient)")
        parser.add_argument("--batch", type=int, default=BATCH,
                            help=f"messages recorded together (default {BATCH})")

    def handle(self, *args: Any, **options: Any) -> None:
        inbox = self._inbox(options.get("inbox"))
        sources: list[tuple[str, bytes | None]] = []
        for name in options["files"]:
            try:
                sources.append((name, Path(name).read_bytes()))
            except OSError as exc:
                self.stderr.write(f"{name}: not read: {exc.strerror or exc}")
                sources.append((name, None))
        if not options["files"]:
            sources.append(("-", sys.stdin.buffer.read()))
        failed = sum(1 for _name, raw in sources if raw is None)
        readable = [(name, raw) for name, raw in sources if raw is not None]
        size = max(1, options["batch"])
        for start in range(0, len(readable), size):
            chunk = readable[start : start + size]
            outcomes = receive_raw_emails([(raw, f"cli:{name}") for name, raw in chunk],
                                          inbox=inbox)
            for (name, _raw), outcome in zip(chunk, outcomes, strict=True):
                failed += self._report(name, outcome)
        if failed:
            raise CommandError(f"{failed} message(s) could not be kept", returncode=1)

    def _report(self, name: str, outcome: ReceiveOutcome) -> int:
        """Print the message's line; 1 when it could not be kept."""
        line = f"{name}: {outcome.reason}"
        if outcome.kept:
            self.stdout.write(line)
            return 0
        self.stderr.write(line)
        return 1

    def _inbox(self, slug: str | None) -> Inbox | None:
        if not slug:
            return None
        inbox = Inbox.objects.filter(slug=slug, kind=EMAIL_INBOX).first()
        if inbox is None:
            raise CommandError(f"no email inbox with slug {slug!r}", returncode=2)
        return inbox
