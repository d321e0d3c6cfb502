"""Showing an email in the browser: inline images come from the stored attachments.

An HTML body refers to its inline images as src="cid:<Content-ID>"; the browser cannot
resolve those, so they are pointed at the attachment download view, which checks that
the agent may see the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from django.urls import reverse

from conversations.models import Attachment

_CID_SRC = re.compile(r"""(\bsrc\s*=\s*["']?)cid:([^"'\s>]+)""", re.IGNORECASE)


def inline_images(html: str, attachments: Iterable[Attachment]) -> str:
    """`html` with every cid: reference to a stored attachment made a download URL;
    a cid: with no stored bytes is left as is (the browser shows nothing)."""
    by_cid = {
        attachment.content_id.strip("<>").lower(): attachment
        for attachment in attachments
        if attachment.content_id and attachment.file
    }
    if not by_cid:
        return html

    def replace(match: re.Match[str]) -> str:
        attachment = by_cid.get(unquote(match.group(2)).strip("<>").lower())
        if attachment is None:
            return match.group(0)
        url = reverse("attachment-download", args=[attachment.pk])
        return f"{match.group(1)}{url}"

    return _CID_SRC.sub(replace, html)
