"""Every message of the real-world corpus is kept, with no traceback, and its text,
HTML and attachments come out right (exact values)."""

from __future__ import annotations

import base64
import logging
import random
from typing import Any

import pytest

from channels_email.receive import receive_raw_email
from conversations.models import Attachment, Interaction
from tests.email.conftest import CORPUS, corpus_bytes

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ICS_LINES = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:REQUEST",
    "BEGIN:VEVENT",
    "DTSTART:20250115T140000Z",
    "DTEND:20250115T143000Z",
    "DTSTAMP:20250108T101500Z",
    "ORGANIZER;CN=Priya Nair:mailto:priya.nair@example.com",
    "UID:7kq3o1c9b2v0example@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=",
    " TRUE;CN=support@omnidesk.test:mailto:support@omnidesk.test",
    "SUMMARY:Onboarding call",
    "STATUS:CONFIRMED",
    "SEQUENCE:0",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
]
DSN_STATUS = (
    b"Reporting-MTA: dns; mx.omnidesk.test\nX-Postfix-Queue-ID: 4YQk2m1Zz9z9sWT\n"
    b"X-Postfix-Sender: rfc822; support@omnidesk.test\n"
    b"Arrival-Date: Wed,  8 Jan 2025 11:00:01 +0000 (UTC)\n\n"
    b"Final-Recipient: rfc822; nobody@example.com\n"
    b"Original-Recipient: rfc822;nobody@example.com\nAction: failed\nStatus: 5.1.1\n"
    b"Remote-MTA: dns; mx.example.com\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address\n"
    b"    rejected: User unknown in virtual mailbox table\n"
)
DSN_HEADERS = (
    b"Return-Path: <support@omnidesk.test>\nFrom: Omnidesk Support <support@omnidesk.test>\n"
    b"To: nobody@example.com\nSubject: Re: Your question [#1]\n"
    b"Message-ID: <original-placeholder@omnidesk.test>\n"
    b"Date: Wed, 08 Jan 2025 11:00:00 +0000\n"
)
FORWARDED = (
    b"From: Shop <orders@shop.example>\nTo: m.okafor@example.org\nSubject: Your order 5531\n"
    b"Message-ID: <order-5531@shop.example>\nDate: Mon, 16 Dec 2024 10:00:00 +0000\n"
    b"Content-Type: text/plain; charset=us-ascii\n\nThank you for your order 5531.\n"
)

# name: (sender, subject, text, html, [(name, content type, content id, bytes)], meta)
EXPECTED: dict[str, dict[str, Any]] = {
    "gmail_reply.eml": {
        "sender": "dana.reyes@gmail.com",
        "subject": "Re: Order 1042 is late",
        "text": "Thanks! The parcel arrived this morning \u2013 all good.\n\nDana",
        "html": '<div dir="ltr"><div>Thanks! The parcel arrived this morning \u2013 all good.'
        "</div><div><br></div><div>Dana</div></div><br>",
        "attachments": [],
        "full_text_starts": "Thanks! The parcel arrived",
    },
    "outlook_reply.eml": {
        "sender": "rene.lefevre@contoso.example",
        "subject": "RE: Invoice INV-7731",
        "text": "Bonjour,\n\nLe montant est correct, merci. Pouvez-vous envoyer la facture \u00e0 "
        "la comptabilit\u00e9 ?\n\nCordialement,\nRen\u00e9",
        "html": "\n\n\n\n<div>Bonjour,</div><div>Le montant est correct, merci.</div>\n",
        "attachments": [],
        "full_text_starts": "Bonjour,",
    },
    "apple_mail_reply.eml": {
        "sender": "dana.reyes@icloud.com",
        "subject": "Re: Broken lid on my kettle",
        "text": "Here is a photo of the crack. It runs all the way along the hinge, so I don't "
        "think it can be glued.",
        "html": "<div>Here is a photo of the crack.</div><div><img "
        'src="cid:F1A2B3C4-0001@icloud.com" alt="IMG_1234.png"></div><div><br></div>',
        "attachments": [("IMG_1234.png", "image/png", "F1A2B3C4-0001@icloud.com", PNG)],
        "full_text_starts": "Here is a photo",
    },
    "nested_multipart.eml": {
        "sender": "m.okafor@example.org",
        "subject": "Warranty claim for blender BX-200",
        "text": "Hello,\n\nmy blender stopped working after two weeks. Receipt and a photo "
        "attached,\nand the shop's confirmation is forwarded below.\n\nMina",
        "html": "<p>Hello,</p><p>my blender stopped working after two weeks. Receipt and a photo "
        "attached, and the shop's confirmation is forwarded below.</p><p><img "
        'src="cid:blender-photo@example.org"></p><p>Mina</p>',
        "attachments": [
            ("attachment.png", "image/png", "blender-photo@example.org", PNG),
            ("receipt.pdf", "application/pdf", "", PDF),
            ("message.eml", "message/rfc822", "", FORWARDED),
        ],
        "participants": ["lars.berg@example.org"],
    },
    "missing_headers.eml": {
        "sender": "noheaders@example.net",
        "subject": "",
        "text": "Hi, my message has no subject, no date and no Message-ID.\nPlease help anyway.",
        "html": "",
        "attachments": [],
        "synthetic_id": True,
    },
    "duplicate_headers.eml": {
        "sender": "tom.weller@example.com",
        "subject": "First subject wins",
        "text": "Plain body of a message with every header twice.",
        "html": "",
        "attachments": [],
        "provider_id": "<dup-1@example.com>",
    },
    "broken_encoding.eml": {
        "sender": "broken@example.com",
        "subject": "Broken base64 \U0001f600 and half=ZZ",
        "text": "Hello, this base64 is missing its padding\n\n"
        "Broken quoted-printable: =ZZ and \u20ac and a soft break.",
        "html": "",
        "attachments": [("data.bin", "application/octet-stream", "", b"\x00\x01\x02\x03")],
    },
    "eight_bit_headers.eml": {
        "sender": "juergen.mueller@example.de",
        "sender_name": "J\u00fcrgen M\u00fcller",
        "subject": "Gr\u00fc\u00dfe aus M\u00fcnchen \u2013 Bestellung",
        "text": "Die Lieferung kam besch\u00e4digt an. Sch\u00f6ne Gr\u00fc\u00dfe!",
        "html": "",
        "attachments": [],
    },
    "non_ascii_filenames.eml": {
        "sender": "ana.garcia@example.es",
        "sender_name": "Ana Garc\u00eda",
        "subject": "Facturas",
        "text": "Adjunto las facturas de enero. Gracias.",
        "html": "",
        "attachments": [
            ("factura_n\u00ba_12_\u20ac.pdf", "application/pdf", "", PDF),
            ("\u00f1and_recibo.pdf", "application/pdf", "", PDF),
            ("notas_a\u00f1o.txt", "text/plain", "", "Notas del a\u00f1o.".encode()),
            ("r\u00e9sum\u00e9_2025.txt", "application/octet-stream", "", b"CV"),
        ],
    },
    "calendar_invite.eml": {
        "sender": "priya.nair@example.com",
        "subject": "Invitation: Onboarding call @ Wed 15 Jan 2025 14:00 - 14:30 (UTC)",
        "text": "You have been invited to the following event.\n\nOnboarding call\n"
        "Wednesday 15 Jan 2025 14:00 \u2013 14:30 (UTC)",
        "html": "<p>You have been invited to the following event.</p><h3>Onboarding call</h3>"
        "<p>Wednesday 15 Jan 2025 14:00 \u2013 14:30 (UTC)</p>",
        "attachments": [
            ("invite.ics", "text/calendar", "", "\n".join(ICS_LINES).encode()),
            ("invite.ics", "application/ics", "", "\r\n".join(ICS_LINES).encode()),
        ],
    },
    "dsn_bounce.eml": {
        "sender": "mailer-daemon@mx.omnidesk.test",
        "subject": "Undelivered Mail Returned to Sender",
        "text": "This is the mail system at host mx.omnidesk.test.\n\nI'm sorry to have to "
        "inform you that your message could not\nbe delivered to one or more recipients. "
        "It's attached below.\n\n<nobody@example.com>: host mx.example.com[192.0.2.10] said: "
        "550 5.1.1\n    <nobody@example.com>: Recipient address rejected: User unknown in "
        "virtual\n    mailbox table (in reply to RCPT TO command)",
        "html": "",
        "attachments": [
            ("delivery-status.txt", "message/delivery-status", "", DSN_STATUS),
            ("headers.txt", "text/rfc822-headers", "", DSN_HEADERS),
        ],
        "noise": "bounce",
    },
    "qmail_bounce.eml": {
        "sender": "mailer-daemon@mail.example.net",
        "subject": "failure notice",
        "text_starts": "Hi. This is the qmail-send program at mail.example.net.",
        "html": "",
        "attachments": [],
        "noise": "bounce",
    },
    "quoted_printable_base64.eml": {
        "sender": "joao.silva@example.pt",
        "sender_name": "Jo\u00e3o Silva",
        "subject": "Encomenda n\u00ba 88",
        "text": "Ol\u00e1! A encomenda n\u00ba 88 chegou, mas a caixa estava aberta e falta o "
        "cabo de alimenta\u00e7\u00e3o.",
        "html": "<p>Ol\u00e1! A encomenda <b>n\u00ba 88</b> chegou.</p>",
        "attachments": [],
    },
    "unknown_charset.eml": {
        "sender": "ivan.petrov@example.ru",
        "subject": "Unknown charset",
        "text": "\u041f\u0440\u0438\u0432\u0435\u0442, \u0437\u0430\u043a\u0430\u0437 77 "
        "\u043d\u0435 \u043f\u0440\u0438\u0448\u0451\u043b.\n\nCaf\u00e9 cr\u00e8me \u20ac5",
        "html": "",
        "attachments": [],
    },
    "iso2022jp.eml": {
        "sender": "taro.yamada@example.jp",
        "sender_name": "\u5c71\u7530\u592a\u90ce",
        "subject": "\u6ce8\u6587\u306b\u3064\u3044\u3066",
        "text": "\u6ce8\u6587\u3057\u305f\u5546\u54c1\u304c\u307e\u3060\u5c4a\u304d\u307e"
        "\u305b\u3093\u3002",
        "html": "",
        "attachments": [],
    },
    "html_only.eml": {
        "sender": "newsletter-reader@example.com",
        "subject": "HTML only",
        "text": "Where is my refund?\nclick",
        "html": '<p>Where is my <b>refund</b>?</p><p><img src="https://tracker.example.com/'
        'pixel.gif"> <a rel="noopener noreferrer nofollow">click</a></p>',
        "attachments": [],
    },
    "out_of_office.eml": {
        "sender": "dana.reyes@gmail.com",
        "subject": "Automatic reply: Order 1042 is late",
        "text": "I am out of the office until 20 January with limited access to email.",
        "html": "",
        "attachments": [],
        "noise": "auto_reply",
    },
    "precedence_bulk.eml": {
        "sender": "deals@shop.example",
        "subject": "This week's deals",
        "text": "50% off everything.",
        "html": "",
        "attachments": [],
        "noise": "auto_reply",
    },
    "oversized_attachment.eml": {
        "sender": "kim.lee@example.kr",
        "subject": "Log files",
        "text": "Logs attached.",
        "html": "",
        "attachments": [
            ("small.log", "application/octet-stream", "", b"short log"),
            ("logs.zip", "application/zip", "", None),
        ],
    },
    "garbage.eml": {
        "sender": "unknown-sender@invalid.invalid",
        "subject": "",
        "text": "\x01\x02 this is not an email \ufffd\ufffd\nat all \ufffd\ufffd\ufffd",
        "html": "",
        "attachments": [],
        "synthetic_id": True,
    },
}


def test_the_corpus_is_covered():
    assert sorted(EXPECTED) == sorted(path.name for path in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_is_kept_with_exact_content(name, email_inbox, settings, caplog):
    settings.OMNIDESK_ATTACHMENT_MAX_BYTES = 1000
    expected = EXPECTED[name]
    raw = corpus_bytes(name)

    outcome = receive_raw_email(raw, source=f"test:{name}")

    assert outcome.kept, outcome.reason
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert outcome.noise == expected.get("noise", "")
    interaction = Interaction.objects.get(pk=outcome.result.interaction.pk)
    assert interaction.inbox == email_inbox
    assert interaction.channel == "email"
    assert interaction.author_identity.value == expected["sender"]
    if "sender_name" in expected:
        assert interaction.customer.name == expected["sender_name"]
    assert interaction.subject == expected["subject"]
    if "text_starts" in expected:
        assert interaction.text.startswith(expected["text_starts"])
    else:
        assert interaction.text == expected["text"]
    assert interaction.html == expected["html"]
    with interaction.raw_file.open("rb") as handle:
        assert handle.read() == raw
    if expected.get("synthetic_id"):
        assert interaction.provider_id.endswith("@missing-message-id.invalid>")
    elif "provider_id" in expected:
        assert interaction.provider_id == expected["provider_id"]
    if "full_text_starts" in expected:
        assert interaction.meta["full_text"].startswith(expected["full_text_starts"])
        assert len(interaction.meta["full_text"]) > len(interaction.text)
    if "participants" in expected:
        assert interaction.conversation.participants == expected["participants"]
    _assert_attachments(interaction, expected["attachments"])


def _assert_attachments(interaction: Interaction, expected: list[tuple[Any, ...]]) -> None:
    stored = list(Attachment.objects.filter(interaction=interaction).order_by("id"))
    assert [(a.name, a.content_type, a.content_id) for a in stored] == [
        (name, ctype, cid) for name, ctype, cid, _content in expected
    ]
    for attachment, (_name, _ctype, _cid, content) in zip(stored, expected, strict=True):
        if content is None:
            assert not attachment.file
            assert attachment.size == 2048
            assert attachment.note == "Not kept: 2048 bytes is over the 1000-byte attachment limit."
            continue
        assert attachment.size == len(content)
        assert attachment.note == ""
        with attachment.file.open("rb") as handle:
            assert handle.read() == content


def test_the_same_corpus_message_twice_is_recorded_once(email_inbox):
    first = receive_raw_email(corpus_bytes("missing_headers.eml"))
    second = receive_raw_email(corpus_bytes("missing_headers.eml"))
    assert first.result.created and not second.result.created
    assert second.result.interaction.pk == first.result.interaction.pk
    assert second.reason == (
        f"already recorded as interaction #{first.result.interaction.pk} "
        f"in conversation #{first.result.conversation.pk}"
    )


def test_damaged_copies_of_the_corpus_are_kept_without_a_traceback(email_inbox, caplog):
    """Truncated and bit-flipped copies of every corpus message: still kept."""
    rng = random.Random(20250107)
    for path in sorted(CORPUS.glob("*.eml")):
        raw = bytearray(path.read_bytes())
        truncated = bytes(raw[: rng.randrange(1, len(raw))])
        for position in rng.sample(range(len(raw)), k=min(12, len(raw))):
            raw[position] = rng.randrange(256)
        for damaged in (truncated, bytes(raw)):
            outcome = receive_raw_email(damaged, source=f"fuzz:{path.name}")
            assert outcome.kept, (path.name, outcome.reason)
            assert outcome.result is not None or outcome.ignored
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
