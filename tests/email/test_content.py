"""The new text of a reply, apart from quoted history and signatures, as clients write it."""

from __future__ import annotations

import pytest

from channels_email.content import split_reply, trim_html_quote

CASES = {
    "gmail, attribution wrapped": (
        "Yes, that works.\n\nOn Mon, Jan 6, 2025 at 4:05 PM Omnidesk Support <\n"
        "support@omnidesk.test> wrote:\n\n> Shall we call you?\n",
        "Yes, that works.",
    ),
    "german thunderbird": (
        "Danke!\n\nAm 06.01.25 um 16:05 schrieb Omnidesk Support:\n> Hallo\n",
        "Danke!",
    ),
    "french outlook header block": (
        "Merci.\n\nDe : Omnidesk Support <support@omnidesk.test>\nEnvoyé : lundi 6 janvier "
        "2025 16:05\nÀ : Client\nObjet : Facture\n\nBonjour",
        "Merci.",
    ),
    "outlook original message": (
        "See below.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nHello",
        "See below.",
    ),
    "signature": (
        "The code is 4411.\n\n-- \nDana Reyes\nAcme Corp, 12 Main St\n",
        "The code is 4411.",
    ),
    "mobile signature": ("On my way.\n\nSent from my iPhone\n", "On my way."),
    "trailing quote block": (
        "Fine by me.\n\n> Can we ship on Friday?\n> Regards\n",
        "Fine by me.",
    ),
    "interleaved answers are kept whole": (
        "> Order number?\n1042\n> Address?\nMain St 12\n",
        "> Order number?\n1042\n> Address?\nMain St 12",
    ),
    "only a quote: keep everything": ("> just quoting\n", "> just quoting"),
    "a last line ending in a colon is no attribution": (
        "Hi.\nOn Friday we need:",
        "Hi.\nOn Friday we need:",
    ),
    "a sentence starting with On is no attribution": (
        "On Monday I will be home.\nPlease deliver then.",
        "On Monday I will be home.\nPlease deliver then.",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_split_reply(name):
    text, expected = CASES[name]
    assert split_reply(text) == expected


def test_html_quote_of_thunderbird_is_trimmed_but_a_message_of_only_quote_is_kept():
    html = (
        '<p>Done.</p><div class="moz-cite-prefix">On 6 Jan wrote:</div><blockquote>x</blockquote>'
    )
    assert trim_html_quote(html) == "<p>Done.</p>"
    only_quote = '<div class="gmail_quote"><blockquote>old</blockquote></div>'
    assert trim_html_quote(only_quote) == only_quote
