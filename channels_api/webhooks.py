"""POST /api/v1/inbound/: any outside system pushes a customer's message into omnidesk.

Verify (the API inbox's token), parse (the JSON body), hand over (do_record_inbound).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import SafeJSONParser
from api.storable import check_storable
from channels_api.serializers import InboundMessageSerializer, InboundResultSerializer
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundEvent
from conversations.models import Channel, Inbox, InboxKind
from conversations.sanitize import html_to_text, sanitize_html


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
        inbox = Inbox.objects.filter(token=token).first()
        if inbox is None:
            raise AuthenticationFailed("Unknown inbox token.")
        if inbox.kind != InboxKind.API or not inbox.is_active:
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


def build_event(inbox: Inbox, message: dict[str, Any], raw: dict[str, Any]) -> InboundEvent:
    sender = message["sender"]
    return InboundEvent(
        inbox=inbox,
        channel=Channel.API,
        sender_kind=sender["kind"],
        sender_value=sender["value"],
        sender_name=sender["name"],
        provider_id=message["provider_id"] or None,
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
        responses={
            201: InboundResultSerializer,
            200: OpenApiResponse(InboundResultSerializer,
                                 description="A retry of a recorded provider_id."),
        },
    )
    def post(self, request: Request) -> Response:
        """Record a customer's message: it joins their customer record and open
        conversation like a message on any other channel."""
        inbox = request.auth
        assert isinstance(inbox, Inbox)  # HasInbox has checked
        check_storable(request.data)  # the whole body is kept as `raw`
        data = InboundMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = do_record_inbound(build_event(inbox, data.validated_data, dict(request.data)))
        body = {
            "interaction": result.interaction.pk,
            "conversation": result.conversation.pk,
            "customer": result.conversation.customer_id,
            "created": result.created,
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)
