"""Media downloads (twilio_common.media) through twilio's own HTTP client: binary bytes
intact, Twilio's redirect followed with credentials only where due, the size limit
enforced before the body is read, failures classified temporary or permanent.

A local HTTP server plays api.twilio.com, so the library's real requests path runs."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conversations.transports import TransportError
from tests.twilio import ACCOUNT_SID, AUTH_TOKEN
from twilio_common import client as twilio_client
from twilio_common.client import twilio_client as client_for_inbox
from twilio_common.media import MediaTooLarge, download_media

IMAGE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
CREDENTIALS = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
LIMIT = 10_000

pytestmark = pytest.mark.django_db


class FakeMediaHost(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []
    sent_bytes = 0

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
            self._send(200, IMAGE, "image/jpeg")
        elif self.path == "/2010-04-01/Media/ME503":
            self._send(503, b"", "text/plain")
        elif self.path == "/2010-04-01/Media/BIG":
            self._send(200, b"\0" * (3 * LIMIT), "video/mp4")
        elif self.path == "/2010-04-01/Media/BIG-CHUNKED":
            self._chunked(b"\0" * 4096, count=1000)
        elif self.path == "/2010-04-01/Media/SLOW":
            time.sleep(3)
            self._send(200, IMAGE, "image/jpeg")
        else:
            self._send(404, b'{"code": 20404}', "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self, chunk: bytes, *, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(count):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                FakeMediaHost.sent_bytes += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def media_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMediaHost)
    FakeMediaHost.seen = []
    FakeMediaHost.sent_bytes = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _download(inbox, url, **kwargs):
    assert twilio_client.http_client_override is None
    return download_media(inbox, url, max_bytes=LIMIT, **kwargs)


def test_real_http_client_keeps_the_bytes(twilio_inbox, media_host):
    media = _download(twilio_inbox, f"{media_host}/2010-04-01/Media/ME1")

    assert media.content_type == "image/jpeg"
    assert media.content == IMAGE
    assert FakeMediaHost.seen[0] == ("/2010-04-01/Media/ME1", CREDENTIALS)
    assert FakeMediaHost.seen[1] == ("/store/ME1?signature=abc", "")


def test_a_missing_media_is_a_permanent_failure(twilio_inbox, media_host):
    with pytest.raises(TransportError) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/ME404")
    assert (failed.value.message, failed.value.permanent) == ("HTTP 404", True)


def test_a_missing_recording_is_worth_another_try(twilio_inbox, media_host):
    with pytest.raises(TransportError) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/RE404", missing_is_temporary=True)
    assert (failed.value.message, failed.value.permanent) == ("HTTP 404", False)


def test_a_server_error_is_temporary(twilio_inbox, media_host):
    with pytest.raises(TransportError) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/ME503")
    assert (failed.value.message, failed.value.permanent) == ("HTTP 503", False)


def test_media_announced_over_the_limit_is_not_read(twilio_inbox, media_host):
    with pytest.raises(MediaTooLarge) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/BIG")
    assert failed.value.permanent
    assert (failed.value.size, failed.value.message) == (
        3 * LIMIT, "29.3 KB is over the limit of 9.8 KB")


def test_a_chunked_body_is_read_only_up_to_the_limit(twilio_inbox, media_host):
    with pytest.raises(MediaTooLarge) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/BIG-CHUNKED")
    assert failed.value.message == "it is over the limit of 9.8 KB"
    # The server had 4 MB to send; the download stopped after the limit (plus what the
    # sockets buffered), never reading the whole.
    assert FakeMediaHost.sent_bytes < 4096 * 1000


def test_an_unreachable_twilio_is_temporary(twilio_inbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(TransportError) as failed:
        _download(twilio_inbox, f"http://127.0.0.1:{closed_port}/2010-04-01/Media/ME1")
    assert not failed.value.permanent
    assert failed.value.message.startswith("Could not reach Twilio: ")


def test_every_request_has_the_timeout_and_an_unanswered_one_is_temporary(
    twilio_inbox, media_host, settings
):
    settings.OMNIDESK_TWILIO_TIMEOUT_SECONDS = 1
    assert client_for_inbox(twilio_inbox).http_client.timeout == 1
    with pytest.raises(TransportError) as failed:
        _download(twilio_inbox, f"{media_host}/2010-04-01/Media/SLOW")
    assert (failed.value.message, failed.value.permanent) == (
        "Twilio did not answer in time.", False)
