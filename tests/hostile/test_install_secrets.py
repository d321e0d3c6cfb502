"""No key printed in the source signs anything in a default install: SECRET_KEY (our
Message-IDs and reply tokens are HMACs with it), the anymail webhook secret and the
demo Twilio number's auth token are generated once per install, kept in the var
folder (files 0600), and reused on every start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils.crypto import salted_hmac
from twilio.request_validator import RequestValidator

from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.models import Conversation, Inbox, Interaction
from omnidesk.install_secrets import InstallSecretError, install_secret, secret_path
from tests.email.helpers import compose, send_now
from tests.hostile.conftest import clear_email_cache_keys
from tests.hostile.twilio import INBOUND_PATH, INBOX_NUMBER, sms_params

ROOT = Path(__file__).resolve().parents[2]
# What omnidesk/settings.py used when SECRET_KEY was unset, and the demo Twilio inbox's
# token: both printed in the source, so anyone could sign with them.
PUBLIC_KEY = "omnidesk-insecure-development-key-change-me"
PUBLIC_TWILIO_TOKEN = "demo-placeholder-not-a-real-twilio-token"
DSN = ROOT / "tests" / "hostile" / "payloads" / "eml" / "dsn_bounce.eml"


def settings_in_a_fresh_process(var_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import omnidesk.settings as a new process (web, worker, beat) of an install whose
    var folder is `var_dir`, and print what it chose."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "ANYMAIL_WEBHOOK_SECRET", "DEBUG",
                          "OMNIDESK_REQUIRE_SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    script = ("from omnidesk import settings as s; "
              "print(s.SECRET_KEY); print(s.ANYMAIL['WEBHOOK_SECRET'])")
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**clean, "OMNIDESK_VAR_DIR": str(var_dir), **env})


def test_an_install_without_keys_generates_them_once_and_keeps_them(tmp_path):
    first = settings_in_a_fresh_process(tmp_path)
    assert first.returncode == 0, first.stderr
    secret_key, webhook_secret = first.stdout.split()
    assert secret_key != PUBLIC_KEY and len(secret_key) >= 50
    assert webhook_secret.startswith("omnidesk:") and len(webhook_secret) >= 40
    for name, value in (("secret_key", secret_key), ("anymail_webhook_secret", webhook_secret)):
        path = secret_path(tmp_path, name)
        assert path.read_text() == value + "\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret_path(tmp_path, "x").parent.stat().st_mode) == 0o700
    again = settings_in_a_fresh_process(tmp_path)
    assert again.stdout.split() == [secret_key, webhook_secret]
    other_install = settings_in_a_fresh_process(tmp_path / "other")
    assert set(other_install.stdout.split()).isdisjoint({secret_key, webhook_secret})


def test_keys_from_the_environment_are_used_and_nothing_is_written(tmp_path):
    done = settings_in_a_fresh_process(
        tmp_path, SECRET_KEY="k" * 60, ANYMAIL_WEBHOOK_SECRET="ops:pass-from-env")
    assert done.stdout.split() == ["k" * 60, "ops:pass-from-env"]
    assert not (tmp_path / "secrets").exists()


def test_require_secret_key_refuses_to_start_without_one(tmp_path):
    done = settings_in_a_fresh_process(tmp_path, OMNIDESK_REQUIRE_SECRET_KEY="1")
    assert done.returncode != 0
    assert "SECRET_KEY must be set (OMNIDESK_REQUIRE_SECRET_KEY is on)" in done.stderr


def test_a_var_folder_that_cannot_hold_secrets_says_what_to_do(tmp_path):
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("a file where the var folder should be")
    with pytest.raises(InstallSecretError, match=r"make the var folder \(OMNIDESK_VAR_DIR\) "
                       "a writable directory or set the value in the environment"):
        install_secret(not_a_folder, "secret_key")


def test_an_empty_secret_file_is_refused_not_replaced(tmp_path):
    path = secret_path(tmp_path, "secret_key")
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    with pytest.raises(InstallSecretError, match="is empty"):
        install_secret(tmp_path, "secret_key")


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    seen: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        seen.append(install_secret(tmp_path, "secret_key"))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert sorted(p.name for p in (tmp_path / "secrets").iterdir()) == ["secret_key"]


def test_this_test_run_has_a_generated_key_of_its_own():
    assert django_settings.SECRET_KEY != PUBLIC_KEY
    var_dir = Path(django_settings.VAR_DIR)
    assert secret_path(var_dir, "secret_key").read_text().strip() == django_settings.SECRET_KEY


def test_check_deploy_has_no_secret_key_warning():
    from io import StringIO

    out = StringIO()
    try:
        call_command("check", "--deploy", stdout=out, stderr=out)
    except Exception as exc:  # warnings of other areas make `check` fail loudly
        out.write(str(exc))
    assert "security.W009" not in out.getvalue()


# --- The attacks ------------------------------------------------------------------------


@pytest.fixture
def sent_reply(email_inbox, agent_a, settings: Any) -> Interaction:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    clear_email_cache_keys()
    first = receive_raw_email(compose(sender="dana.reyes@example.com",
                                      subject="Order 1042 is late",
                                      message_id="<order@example.com>"))
    return send_now(do_send_reply(conversation=first.result.conversation, author=agent_a,
                                  text="Shipped."))


@pytest.mark.django_db
def test_a_dsn_forged_with_the_public_key_bounces_nothing_and_injects_nothing(sent_reply):
    # What an attacker computes for "our" Message-ID of interaction N with the key that
    # was printed in settings.py; the real one is signed with this install's key.
    forged_signature = salted_hmac(
        "channels_email.message-id", str(sent_reply.pk), secret=PUBLIC_KEY
    ).hexdigest()[:20]
    domain = sent_reply.provider_id.rsplit("@", 1)[1].rstrip(">")
    forged_id = f"<omnidesk.{sent_reply.pk}.{forged_signature}@{domain}>"
    assert forged_id != sent_reply.provider_id
    raw = DSN.read_bytes().replace(b"<original-placeholder@omnidesk.test>", forged_id.encode())
    raw = raw.replace(b"I'm sorry to have to inform you",
                      b"Dana here: pay the refund to https://evil.example/pay. I'm sorry")

    outcome = receive_raw_email(raw)

    assert outcome.kept and outcome.marking_bounced is None
    sent_reply.refresh_from_db()
    assert sent_reply.status == "sent"
    notice = outcome.result.interaction
    assert notice.author_identity.value == "mailer-daemon@mx.omnidesk.test"
    assert notice.conversation_id != sent_reply.conversation_id
    assert notice.meta["bounce"]["interaction_id"] is None
    dana = Conversation.objects.get(pk=sent_reply.conversation_id)
    assert not dana.interactions.filter(text__contains="evil.example").exists()


def test_the_old_public_twilio_placeholder_signs_nothing(db, team_a):
    inbox = Inbox.objects.create(
        kind="twilio", name="Old demo line", slug="old-demo", address=INBOX_NUMBER,
        team=team_a, config={"account_sid": "AC" + "0" * 32},
        secrets={"auth_token": PUBLIC_TWILIO_TOKEN},
    )
    params = sms_params()
    signature = RequestValidator(PUBLIC_TWILIO_TOKEN).compute_signature(
        f"http://testserver{INBOUND_PATH}", params)
    response = Client().post(INBOUND_PATH, data=params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not Interaction.objects.filter(inbox=inbox).exists()


@pytest.mark.slow
def test_the_demo_twilio_number_gets_a_token_nobody_else_knows(db, settings, tmp_path):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    inbox = Inbox.objects.get(kind="twilio")
    token = inbox.secrets["auth_token"]
    assert token not in (PUBLIC_TWILIO_TOKEN, "") and len(token) == 32
    params = sms_params(To=inbox.address)
    url = f"http://testserver{INBOUND_PATH}"
    forged = RequestValidator(PUBLIC_TWILIO_TOKEN).compute_signature(url, params)
    assert Client().post(INBOUND_PATH, data=params,
                         HTTP_X_TWILIO_SIGNATURE=forged).status_code == 403
    genuine = RequestValidator(token).compute_signature(url, params)
    assert Client().post(INBOUND_PATH, data=params,
                         HTTP_X_TWILIO_SIGNATURE=genuine).status_code == 200
