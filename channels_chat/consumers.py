"""The visitor websocket at /ws/chat/<widget key>/: one browser tab of a chat visitor.

Frames from the browser (JSON objects):
- `{"type": "hello", "token": T|null, "since": N|null, "identity": {...}|null}` first:
  the visitor token the browser kept (a new visitor gets one in `welcome`), the last
  event id it has seen (it then gets what it missed, `resumed`; without it, the history),
  and, for a host site's signed-in user, `{"id": "<email or user id>", "hash": "<hex
  HMAC-SHA256 of id with the widget secret>", "name": "..."}`.
- `{"type": "message", "client_id": "<browser's id>", "text": "..."}`: answered with
  `{"type": "ack", "client_id", "id", "created"}`; resending a client id records nothing.
- `{"type": "typing"}`, `{"type": "read", "up_to": <interaction id>}`,
  `{"type": "contact", "email": "...", "name": "..."}`, `{"type": "ping"}`.
- `{"type": "survey_answer", "survey": <id>, "rating": 1-5}` for a survey message of
  the visitor's own chat (its payload's `survey`), then at most once
  `{"type": "survey_answer", "survey": <id>, "effort": 1-5|null, "comment": "..."}`:
  answered with `{"type": "survey_saved", "survey": {...its new state}}` or
  `{"type": "error", "error": "survey", "survey": <id>, "code", "message"}` (nothing
  recorded).
To the browser: `welcome`, `ack`, `resumed`, `pong`, `error`, `survey_saved`, and
`{"type": "event", "id", "event", "data"}` for every event of the visitor's audience.

Close codes: 4403 the widget does not exist or this site may not embed it (refused at the
handshake); 4401 a forged identity hash; 4400 no hello first; 1013 the channel layer is
down (the widget reconnects with back-off).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async

from channels_chat import actions
from channels_chat.availability import agents_online
from channels_chat.conf import max_chars, messages_per_minute
from channels_chat.queries import visitor_history
from channels_chat.tokens import new_visitor_id, read_visitor_token, visitor_token
from channels_chat.widget import identity_verified, origin_allowed, widget_for_key, widget_settings
from conversations.models import Inbox
from csat.actions.survey import AnswerRefused
from customers.identities import InvalidIdentity
from realtime.audience import visitor_group
from realtime.layer import LAYER_ERRORS
from realtime.queries import RESUME_LIMIT, missed_events, newest_event_id
from realtime.socket_base import JsonSocketConsumer

CLOSE_FORBIDDEN = 4403
CLOSE_FORGED = 4401
CLOSE_NO_HELLO = 4400
CLOSE_TRY_LATER = 1013
LAYER_TIMEOUT = 5.0
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
TYPING_EVERY = 2.0  # seconds between two typing events of one socket
SEEN_EVERY = 20.0  # seconds between two last-seen writes


def _event_id(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number < 2**63 else None


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class VisitorConsumer(JsonSocketConsumer):
    async def connect(self) -> None:
        self.visitor_id: str | None = None
        self.group: str | None = None
        self.sent: deque[float] = deque()
        self.typed_at = 0.0
        self.seen_at = 0.0
        key = self.scope["url_route"]["kwargs"]["key"]
        origin = header(self.scope, b"origin")
        inbox = await database_sync_to_async(widget_for_key)(key)
        if inbox is None or not origin_allowed(inbox, origin):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.inbox: Inbox = inbox
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.leave_all()
        if self.visitor_id is not None:
            await database_sync_to_async(actions.do_visitor_disconnected)(self.visitor_id)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            content = await self.decode_json(text_data or "")
        except (ValueError, RecursionError):
            await self.send_json({"type": "error", "error": "frames must be JSON objects"})
            return
        if isinstance(content, dict):
            await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
            return
        if self.visitor_id is None:
            await self.close(code=CLOSE_NO_HELLO)
            return
        if kind == "message":
            await self._message(content)
        elif kind == "typing":
            await self._typing()
        elif kind == "read":
            up_to = _event_id(content.get("up_to"))
            if up_to is not None:
                await database_sync_to_async(actions.do_visitor_read)(self.visitor_id, up_to)
        elif kind == "contact":
            await self._contact(content)
        elif kind == "ping":
            await self._seen()
            await self.send_json({"type": "pong"})
        elif kind == "resume":
            await self._resume(_event_id(content.get("since")) or 0)
        elif kind == "transcript":
            email = await database_sync_to_async(actions.do_request_transcript)(self.visitor_id)
            if email is None:
                await self.send_json({"type": "error", "error": "transcript",
                                      "message": "Leave your email address first."})
            else:
                await self.send_json({"type": "transcript_queued", "email": email})
        elif kind == "survey_answer":
            await self._survey_answer(content)
        elif kind == "article":
            slug = content.get("slug")
            if isinstance(slug, str) and len(slug) <= 150:
                await database_sync_to_async(actions.do_visitor_read_article)(
                    self.visitor_id, slug
                )

    async def _hello(self, content: dict[str, Any]) -> None:
        if self.visitor_id is not None:
            return  # one hello a socket
        visitor_id = read_visitor_token(content.get("token"), self.inbox.pk) or new_visitor_id()
        identity = content.get("identity")
        if isinstance(identity, dict) and identity.get("id"):
            identifier = str(identity.get("id"))[:255]
            if not identity_verified(self.inbox, identifier, str(identity.get("hash") or "")):
                await self.send_json({"type": "error", "error": "identity_refused"})
                await self.close(code=CLOSE_FORGED)
                return
            visitor_id = await database_sync_to_async(self._identify)(
                visitor_id, identifier, str(identity.get("name") or "")[:200]
            )
        try:
            async with asyncio.timeout(LAYER_TIMEOUT):
                group = visitor_group(visitor_id)
                await self.join(group)
        except LAYER_ERRORS:
            await self.leave_all()
            await self.close(code=CLOSE_TRY_LATER)
            return
        self.group, self.visitor_id = group, visitor_id
        since = _event_id(content.get("since"))
        welcome = await database_sync_to_async(self._welcome)(
            visitor_id, with_history=since is None
        )
        await self.send_json(welcome)
        if since is not None:
            await self._resume(since)

    def _identify(self, visitor_id: str, identifier: str, name: str) -> str:
        try:
            actions.do_identify_visitor(visitor_id, identifier=identifier, name=name)
        except actions.VisitorIsSomeoneElse:
            visitor_id = new_visitor_id()
            actions.do_identify_visitor(visitor_id, identifier=identifier, name=name)
        return visitor_id

    def _welcome(self, visitor_id: str, *, with_history: bool) -> dict[str, Any]:
        actions.do_visitor_connected(self.inbox, visitor_id)
        self.seen_at = time.monotonic()
        welcome: dict[str, Any] = {
            "type": "welcome",
            "token": visitor_token(self.inbox.pk, visitor_id),
            "visitor_id": visitor_id,
            # Read after joining the group: nothing published later is missed.
            "last_event_id": newest_event_id(),
            "online": agents_online(self.inbox),
            "settings": widget_settings(self.inbox),
        }
        if with_history:
            welcome["history"] = visitor_history(visitor_id)
        return welcome

    async def _resume(self, since: int) -> None:
        assert self.group is not None
        while True:
            page = await database_sync_to_async(missed_events)(
                groups=[self.group], since=since, limit=RESUME_LIMIT
            )
            for event in page.events:
                await self.deliver(event["id"], event["event"], event["data"])
            since = page.next_since
            if not page.has_more:
                break
        await self.send_json({"type": "resumed", "last_event_id": since})

    async def _message(self, content: dict[str, Any]) -> None:
        client_id = content.get("client_id")
        text = content.get("text")
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            await self.send_json({"type": "error", "error": "client_id must be 1-64 letters, "
                                  "digits, '-' or '_'"})
            return
        if not isinstance(text, str) or not text.strip():
            await self.send_json({"type": "error", "client_id": client_id,
                                  "error": "A message needs some text."})
            return
        if len(text) > max_chars():
            await self.send_json({"type": "error", "client_id": client_id,
                                  "error": f"Messages are at most {max_chars()} characters."})
            return
        if self._flooding():
            await self.send_json({"type": "error", "client_id": client_id, "error": "flood",
                                  "message": "You are sending messages too fast. Wait a "
                                  "moment, then send again."})
            return
        result = await database_sync_to_async(actions.do_visitor_message)(
            self.inbox, self.visitor_id, client_id=client_id, text=text
        )
        self.typed_at = 0.0  # the next keystroke starts a new message
        await self.send_json({"type": "ack", "client_id": client_id,
                              "id": result.interaction.pk, "created": result.created})

    def _flooding(self) -> bool:
        now = time.monotonic()
        while self.sent and self.sent[0] < now - 60:
            self.sent.popleft()
        if len(self.sent) >= messages_per_minute():
            return True
        self.sent.append(now)
        return False

    async def _typing(self) -> None:
        now = time.monotonic()
        if now - self.typed_at < TYPING_EVERY:
            return
        self.typed_at = now
        assert self.visitor_id is not None
        await database_sync_to_async(actions.do_visitor_typing)(self.visitor_id)

    async def _contact(self, content: dict[str, Any]) -> None:
        assert self.visitor_id is not None
        try:
            result = await database_sync_to_async(actions.do_claim_contact)(
                self.visitor_id, email=str(content.get("email") or "")[:255],
                name=str(content.get("name") or "")[:200],
                phone=str(content.get("phone") or "")[:40],
            )
        except InvalidIdentity:
            await self.send_json({"type": "error", "error": "contact",
                                  "message": "Check the email address and phone number."})
            return
        await self.send_json({"type": "contact_saved", "email": result.email,
                              "phone": result.phone})

    async def _survey_answer(self, content: dict[str, Any]) -> None:
        assert self.visitor_id is not None
        survey_id = content.get("survey")
        try:
            state = await database_sync_to_async(actions.do_visitor_answer_survey)(
                self.visitor_id, survey_id, rating=content.get("rating"),
                effort=content.get("effort"), comment=content.get("comment"),
            )
        except AnswerRefused as exc:
            await self.send_json({"type": "error", "error": "survey", "code": exc.code,
                                  "survey": _event_id(survey_id), "message": str(exc)})
            return
        await self.send_json({"type": "survey_saved", "survey": state})

    async def _seen(self) -> None:
        now = time.monotonic()
        if now - self.seen_at >= SEEN_EVERY and self.visitor_id is not None:
            self.seen_at = now
            await database_sync_to_async(actions.do_visitor_seen)(self.visitor_id)
