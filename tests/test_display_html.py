"""Stored email HTML keeps remote images; what agents are shown blocks them (tracking
pixels) unless asked, and points inline cid: images at their attachments."""

from __future__ import annotations

import pytest

from conversations.actions.ingest import do_record_inbound
from conversations.sanitize import block_remote_images, display_html, sanitize_html
from tests.factories import inbound


@pytest.mark.parametrize(("html", "shown"), [
    ('<img src="https://t.example/p.gif">',
     '<img src="" data-blocked-src="https://t.example/p.gif">'),
    ('<img alt="a>b" src="//t.example/p.gif">',
     '<img alt="a&gt;b" src="" data-blocked-src="//t.example/p.gif">'),
    ('<img src="h&#9;ttps://t.example/p.gif">',
     '<img src="" data-blocked-src="h\tttps://t.example/p.gif">'),
    ('<IMG SRC=" HTTP://T.EXAMPLE/P.GIF">',
     '<img src="" data-blocked-src=" HTTP://T.EXAMPLE/P.GIF">'),
    ('<img src="/\\t.example/p.gif">', '<img src="" data-blocked-src="/\\t.example/p.gif">'),
    ('<img src="/attachments/5/">', '<img src="/attachments/5/">'),
    ('<img src="cid:logo@x">', '<img src="cid:logo@x">'),
    ('<a href="https://example.com/">link</a>',
     '<a href="https://example.com/" rel="noopener noreferrer nofollow">link</a>'),
])
def test_remote_images_are_blocked_and_local_ones_kept(html, shown):
    assert block_remote_images(sanitize_html(html)) == shown


def test_inline_images_resolve_then_remote_ones_block_unless_asked():
    html = sanitize_html('<p><img src="cid:Logo@X"><img src="cid:gone@x">'
                         '<img src="https://t.example/p.gif"></p>')
    urls = {"<logo@x>": "/attachments/7/"}
    assert display_html(html, urls) == (
        '<p><img src="/attachments/7/"><img src="cid:gone@x">'
        '<img src="" data-blocked-src="https://t.example/p.gif"></p>')
    assert display_html(html, urls, show_remote_images=True) == (
        '<p><img src="/attachments/7/"><img src="cid:gone@x">'
        '<img src="https://t.example/p.gif"></p>')


@pytest.mark.django_db
def test_timelines_show_remote_images_only_when_asked(email_inbox, client_for, agent_a):
    result = do_record_inbound(inbound(
        email_inbox, "email", "email", "dana@example.com", "hello", provider_id="<px@x>",
        html='<p>hello<img src="https://t.example/p.gif"></p>'))
    stored = '<p>hello<img src="https://t.example/p.gif"></p>'
    assert result.interaction.html == stored
    client = client_for(agent_a)
    for url in (f"/api/v1/conversations/{result.conversation.pk}/interactions/",
                f"/api/v1/customers/{result.conversation.customer_id}/timeline/",
                "/api/v1/interactions/"):
        blocked = client.get(url).json()["results"][0]["html"]
        assert blocked == '<p>hello<img src="" data-blocked-src="https://t.example/p.gif"></p>'
        assert client.get(url, {"remote_images": "show"}).json()["results"][0]["html"] == stored
        refused = client.get(url, {"remote_images": "yes"})
        assert refused.status_code == 400
        assert refused.json() == {"remote_images": ["must be one of block, show, got 'yes'"]}
    detail = client.get(f"/api/v1/interactions/{result.interaction.pk}/",
                        {"remote_images": "show"}).json()
    assert detail["html"] == stored
