"""A provider that fetches our media (Twilio's MediaUrl) gets a signed, expiring public
link to one attachment; a tampered, expired or foreign link serves nothing."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile

from conversations.actions.ingest import do_record_inbound
from conversations.links import (
    LINK_SALT,
    LinkInvalid,
    attachment_id_from_link,
    public_attachment_url,
)
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(twilio_inbox):
    message = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "pic",
                                        provider_id="SM-link")).interaction
    attachment = message.attachments.create(name="lid.jpg", content_type="image/jpeg")
    attachment.file.save("lid.jpg", ContentFile(b"\xff\xd8jpeg"))
    return attachment


def _path(url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://testserver"  # PUBLIC_URL
    return parts.path


def test_the_link_serves_the_bytes_without_a_sign_in(client, photo):
    response = client.get(_path(public_attachment_url(photo)))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="lid.jpg"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.post(_path(public_attachment_url(photo))).status_code == 405


def test_a_tampered_expired_or_foreign_link_is_a_404(client, photo):
    path = _path(public_attachment_url(photo))
    token = path.rstrip("/").rsplit("/", 1)[1]
    other_id = signing.dumps([photo.pk + 1, int(time.time()) + 60], salt=LINK_SALT)
    foreign = signing.dumps([photo.pk, int(time.time()) + 60], salt="another.purpose")
    expired = _path(public_attachment_url(photo, ttl=timedelta(seconds=-1)))
    for bad in (path.replace(token, token[:-3] + "abc"), expired,
                f"/attachments/public/{foreign}/", f"/attachments/public/{other_id}/",
                "/attachments/public/nonsense/"):
        assert client.get(bad).status_code == 404, bad
    with pytest.raises(LinkInvalid):
        attachment_id_from_link(token, now=time.time() + 3601)
    assert attachment_id_from_link(token) == photo.pk


def test_no_link_serves_an_attachment_whose_bytes_were_not_kept(client, photo):
    photo.file.delete(save=True)
    assert client.get(_path(public_attachment_url(photo))).status_code == 404
