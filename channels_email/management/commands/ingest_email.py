"""python manage.py ingest_email [--inbox SLUG] [FILE ...]

Records raw RFC 822 messages, one per file, or one from standard input (an MTA's pipe
transport). Prints one line per message; exits 1 only when a message could not be
kept, so an MTA keeps it queued and tries again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels_email.conf import EMAIL_INBOX
from channels_email.receive import receive_raw_email
from conversations.models import Inbox


class Command(BaseCommand):
    help = "Record raw RFC 822 email messages from files or standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="message files; none: read standard input")
        parser.add_argument("--inbox", help="slug of the email inbox (default: by recipient)")

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
        failed = 0
        for name, raw in sources:
            if raw is None:
                failed += 1
                continue
            outcome = receive_raw_email(raw, inbox=inbox, source=f"cli:{name}")
            line = f"{name}: {outcome.reason}"
            if outcome.kept:
                self.stdout.write(line)
            else:
                failed += 1
                self.stderr.write(line)
        if failed:
            raise CommandError(f"{failed} message(s) could not be kept", returncode=1)

    def _inbox(self, slug: str | None) -> Inbox | None:
        if not slug:
            return None
        inbox = Inbox.objects.filter(slug=slug, kind=EMAIL_INBOX).first()
        if inbox is None:
            raise CommandError(f"no email inbox with slug {slug!r}", returncode=2)
        return inbox
