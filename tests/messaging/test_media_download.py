"""Media downloads through twilio's own HTTP client (no override) keep binary bytes
intact and follow Twilio's redirect to its media store, credentials only where due.

A local HTTP server plays api.twilio.com, so the library's real requests path runs."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels_voice import client as twilio_client
from channels_voice.messaging.rest import fetch_media
from tests.messaging.conftest import ACCOUNT_SID, AUTH_TOKEN

IMAGE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
CREDENTIALS = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()


class FakeMediaHost(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.path == "/2010-04-01/Media/ME1":
            # Twilio answers the media URL with a redirect to short-lived storage on
            # another host ("localhost" here), which must not see our credentials.
            self.send_response(307)
            port = self.server.server_address[1]
            self.send_header("Location", f"http://localhost:{port}/store/ME1?signature=abc")
            self.end_headers()
        elif self.path.startswith("/store/ME1"):
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(IMAGE)))
            self.end_headers()
            self.wfile.write(IMAGE)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def media_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMediaHost)
    FakeMediaHost.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_real_http_client_keeps_the_bytes(inbox, media_host):
    assert twilio_client.http_client_override is None

    media = fetch_media(inbox, f"{media_host}/2010-04-01/Media/ME1")

    assert (media.status, media.content_type) == (200, "image/jpeg")
    assert media.content == IMAGE
    assert FakeMediaHost.seen[0] == ("/2010-04-01/Media/ME1", CREDENTIALS)
    assert FakeMediaHost.seen[1] == ("/store/ME1?signature=abc", "")


@pytest.mark.django_db
def test_real_http_client_reports_a_missing_media(inbox, media_host):
    media = fetch_media(inbox, f"{media_host}/2010-04-01/Media/ME404")
    assert media.status == 404
