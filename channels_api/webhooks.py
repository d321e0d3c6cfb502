"""POST /api/v1/inbound/: any outside system pushes a customer's message into omnidesk.

Verify (the API inbox's token), parse (the JSON body), hand over (do_record_inbound).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import SafeJSONParser
from api.storable import check_storable
from channels_api.conf import API_CHANNEL, API_INBOX
from channels_api.serializers import (
    InboundAcceptedSerializer,
    InboundMessageSerializer,
    InboundResultSerializer,
)
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundEvent
from conversations.models import Inbox
from conversations.sanitize import html_to_text, sanitize_html
from omnidesk.fastsql import CompiledSelect
from spool import conf as spool_conf
from spool.accept import spool_event
from spool.handlers import Payload, recorder

# Every webhook POST looks its inbox up: the query is compiled once (omnidesk.fastsql).
_INBOX_BY_TOKEN = CompiledSelect(lambda token: Inbox.objects.filter(token=token), ("\ue000token",))


class InboxTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` of an active inbox of kind "api".

    No header: 401. A token no inbox has: 401. The token of an inbox that is not an
    active API inbox: 403.
    """

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Inbox] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: use 'Bearer <token>'.")
        token = parts[1].decode("latin-1")
        inbox = _INBOX_BY_TOKEN.first(token)
        if inbox is None:
            raise AuthenticationFailed("Unknown inbox token.")
        if inbox.kind != API_INBOX or not inbox.is_active:
            raise PermissionDenied("This token's inbox is not an active API inbox.")
        return AnonymousUser(), inbox

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="omnidesk-inbound"'


class InboxTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "channels_api.webhooks.InboxTokenAuthentication"
    name = "inboxToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "The token of an API inbox (see rotate-token)."}


class HasInbox(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Inbox)


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_PREFIX = "idempotency-key:"
# RFC 7240: with `Prefer: respond-async` the message is spooled and answered 202.
RESPOND_ASYNC = "respond-async"
SPOOLED_MESSAGE = "api-message"
_INBOX_BY_ID = CompiledSelect(lambda pk: Inbox.objects.filter(pk=pk), (-5_300_023,))


def wants_async(request: Request) -> bool:
    preferences = request.headers.get("Prefer", "").split(",")
    return any(p.split(";")[0].strip().lower() == RESPOND_ASYNC for p in preferences)


def idempotency_key(request: Request) -> str | None:
    """The client's Idempotency-Key header: stands in for a provider id, so a retried
    POST without one is recorded once too. A 400 for a key that cannot be stored."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return None
    if len(key) > 200 or not key.isprintable():
        raise ValidationError({IDEMPOTENCY_HEADER: ["Must be 1-200 printable characters."]})
    return key


def build_event(
    inbox: Inbox, message: dict[str, Any], raw: dict[str, Any], *, idempotency: str | None = None
) -> InboundEvent:
    sender = message["sender"]
    provider_id = message["provider_id"] or (
        f"{IDEMPOTENCY_PREFIX}{idempotency}" if idempotency else None
    )
    return InboundEvent(
        inbox=inbox,
        channel=API_CHANNEL,
        sender_kind=sender["kind"],
        sender_value=sender["value"],
        sender_name=sender["name"],
        provider_id=provider_id,
        occurred_at=message["occurred_at"],
        # From the sanitized html: a <script>'s content is not text anyone wrote.
        text=message["text"] or html_to_text(sanitize_html(message["html"])),
        html=message["html"],
        subject=message["subject"],
        meta=message["meta"],
        raw=raw,
    )


class InboundMessageView(APIView):
    authentication_classes = [InboxTokenAuthentication]
    permission_classes = [HasInbox]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        operation_id="inbound_message",
        tags=["inbound"],
        request=InboundMessageSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
                description="Your key for this push, when the message has no provider_id: "
                "a retry with the same key is recorded once.",
            ),
            OpenApiParameter(
                "Prefer", str, OpenApiParameter.HEADER, required=False,
                description="`respond-async`: answer 202 as soon as the message is kept "
                "(one write), and record it a moment later, in order with the same "
                "sender's other messages. For bulk pushes: no ids in the answer.",
            ),
        ],
        responses={
            201: InboundResultSerializer,
            200: OpenApiResponse(InboundResultSerializer, description="A retry of a "
                                 "recorded provider_id or Idempotency-Key."),
            202: OpenApiResponse(InboundAcceptedSerializer, description="Kept, to be "
                                 "recorded in a moment (`Prefer: respond-async`)."),
        },
    )
    def post(self, request: Request) -> Response:
        """Record a customer's message: it joins their customer record and open
        conversation like a message on any other channel.

        To retry safely, send either `provider_id` in the body or an `Idempotency-Key`
        header: a repeat is recorded once and answered 200 with the original ids. A POST
        with neither is recorded again each time it is sent."""
        inbox = request.auth
        assert isinstance(inbox, Inbox)  # HasInbox has checked
        key = idempotency_key(request)
        check_storable(request.data)  # the whole body is kept as `raw`
        data = InboundMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = build_event(inbox, data.validated_data, dict(request.data), idempotency=key)
        if wants_async(request) and spool_conf.enabled():
            spool_event(
                SPOOLED_MESSAGE,
                {"inbox": inbox.pk, "body": dict(request.data), "idempotency": key},
                sender_kind=event.sender_kind,
                sender_value=event.sender_value,
                dedupe_key=f"{inbox.pk}:{event.provider_id}" if event.provider_id else None,
            )
            return Response({"accepted": True}, status=status.HTTP_202_ACCEPTED,
                            headers={"Preference-Applied": RESPOND_ASYNC})
        result = do_record_inbound(event)
        body = {
            "interaction": result.interaction.pk,
            "conversation": result.conversation.pk,
            "customer": result.conversation.customer_id,
            "created": result.created,
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)


@recorder(SPOOLED_MESSAGE)
def record_spooled_message(payload: Payload) -> None:
    """The drain's side of `Prefer: respond-async`: the body is validated again (it was
    when it was accepted) and recorded like a synchronous push."""
    inbox = _INBOX_BY_ID.first(payload["inbox"])
    if inbox is None:
        raise LookupError(f"inbox {payload['inbox']} is gone")
    data = InboundMessageSerializer(data=payload["body"])
    data.is_valid(raise_exception=True)
    do_record_inbound(
        build_event(inbox, data.validated_data, payload["body"], idempotency=payload["idempotency"])
    )
