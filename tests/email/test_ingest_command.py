"""python manage.py ingest_email: files or standard input, one line per message,
non-zero exit status only when a message could not be kept."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from conversations.models import Interaction
from tests.email.conftest import CORPUS

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest_email", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_files_are_recorded_one_line_each(email_inbox):
    gmail, outlook = str(CORPUS / "gmail_reply.eml"), str(CORPUS / "outlook_reply.eml")
    out, err = run(gmail, outlook, gmail)

    first, second = Interaction.objects.filter(channel="email").order_by("id")
    assert out.splitlines() == [
        f"{gmail}: started conversation #{first.conversation_id} "
        "in inbox support-mail (addressed to support@omnidesk.test)",
        f"{outlook}: started conversation #{second.conversation_id} "
        "in inbox support-mail (addressed to support@omnidesk.test)",
        f"{gmail}: already recorded as interaction #{first.pk} "
        f"in conversation #{first.conversation_id}",
    ]
    assert err == ""


@pytest.mark.django_db
def test_an_explicit_inbox_wins_over_the_recipients(email_inbox, team_a):
    from conversations.models import Inbox

    other = Inbox.objects.create(
        kind="email", name="Sales", slug="sales", address="sales@omnidesk.test", team=team_a
    )
    out, _err = run("--inbox", "sales", str(CORPUS / "missing_headers.eml"))
    assert Interaction.objects.get(channel="email").inbox == other
    assert out.endswith("in inbox sales (given)\n")


@pytest.mark.django_db
def test_unreadable_file_and_unknown_inbox_fail(email_inbox):
    with pytest.raises(CommandError) as failure:
        run("/nonexistent/message.eml")
    assert failure.value.returncode == 1
    with pytest.raises(CommandError, match="no email inbox with slug 'nope'"):
        run("--inbox", "nope", str(CORPUS / "gmail_reply.eml"))
    assert not Interaction.objects.exists()


def _manage(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    test_db = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnidesk.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{test_db}",
        "OMNIDESK_INBOUND_EMAIL_DOMAIN": settings.OMNIDESK_INBOUND_EMAIL_DOMAIN,
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), "ingest_email"],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_an_mta_pipe_on_standard_input(transactional_db, email_inbox):
    kept = _manage((CORPUS / "apple_mail_reply.eml").read_bytes())
    assert kept.returncode == 0, kept.stderr
    interaction = Interaction.objects.get(channel="email")
    assert kept.stdout.decode() == (
        f"-: started conversation #{interaction.conversation_id} "
        "in inbox support-mail (addressed to support@omnidesk.test)\n"
    )

    email_inbox.delete()
    refused = _manage((CORPUS / "gmail_reply.eml").read_bytes())
    assert refused.returncode == 1
    assert refused.stderr.decode().splitlines()[0] == ("-: no active email inbox is configured")
