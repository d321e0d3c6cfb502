"""Fixtures of the REST API tests: conversations in two teams, signed-in clients, and a
local HTTP server standing in for the system behind an API inbox's outbound_url."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Inbox, InboxKind
from tests.factories import inbound

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def email_inbox_b(team_b: Any) -> Inbox:
    return Inbox.objects.create(
        kind=InboxKind.EMAIL, name="Billing mail", slug="billing-mail",
        address="billing@omnidesk.test", team=team_b,
    )


@pytest.fixture
def conversation_a(twilio_inbox: Inbox) -> Conversation:
    """Team A's: an SMS from Ana Lima."""
    return do_record_inbound(inbound(
        twilio_inbox, "sms", "phone", "+14155550100", "Where is my parcel?", provider_id="SM-a1",
        sender_name="Ana Lima",
    )).conversation


@pytest.fixture
def conversation_b(email_inbox_b: Inbox) -> Conversation:
    """Team B's: an email from Bo Chen."""
    return do_record_inbound(inbound(
        email_inbox_b, "email", "email", "bo@example.com", "Invoice 77 is wrong",
        provider_id="<b1@mail.example.com>", subject="Invoice 77", sender_name="Bo Chen",
    )).conversation


@pytest.fixture
def session_client() -> Any:
    """A client signed in with a session, as a browser is: every request loads the user
    and their agent profile, so query counts are those of real traffic."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@dataclass
class Receiver:
    """What the local outbound_url server received, and what it answers next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: deque[tuple[int, Any]] = field(default_factory=deque)

    def answer(self, *answers: tuple[int, Any]) -> None:
        self.answers.extend(answers)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 (free port) that records POSTs and answers each with
    the next queued (status, JSON body), else 200 {"id": "rcv-default"}."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append({
                "path": self.path,
                "body": body,
                "signature": self.headers.get("X-Omnidesk-Signature"),
                "delivery": self.headers.get("X-Omnidesk-Delivery"),
                "content_type": self.headers.get("Content-Type"),
            })
            default = (200, {"id": "rcv-default"})
            code, answer = state.answers.popleft() if state.answers else default
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/omnidesk"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def outbound_api_inbox(api_inbox: Inbox, receiver: Receiver) -> Inbox:
    """The shared API inbox, sending replies to the local receiver."""
    Inbox.objects.filter(pk=api_inbox.pk).update(config={"outbound_url": receiver.url})
    api_inbox.refresh_from_db()
    return api_inbox

