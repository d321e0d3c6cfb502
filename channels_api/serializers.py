"""The body an outside system POSTs to /api/v1/inbound/, and the answer it gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from api.schema import enum_field
from channels_api.conf import inbound_max_chars
from customers.identities import InvalidIdentity, normalize_identity
from customers.models import IdentityKind

EARLIEST_OCCURRED_AT = datetime(1970, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW = timedelta(days=1)
SENDER_KINDS = [(IdentityKind.EMAIL, "Email"), (IdentityKind.PHONE, "Phone"),
                (IdentityKind.EXTERNAL, "External id")]


class SenderSerializer(serializers.Serializer[Any]):
    kind = enum_field("SenderKind", SENDER_KINDS)
    value = serializers.CharField(
        max_length=255, help_text="An email address, a phone number (any format), or your "
        "own id for the person."
    )
    name = serializers.CharField(max_length=200, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["value"] = normalize_identity(attrs["kind"], attrs["value"])
        except InvalidIdentity as exc:
            raise serializers.ValidationError({"value": [str(exc)]}) from exc
        return attrs


class InboundMessageSerializer(serializers.Serializer[Any]):
    sender = SenderSerializer()
    text = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    html = serializers.CharField(
        allow_blank=True, default="", trim_whitespace=False,
        help_text="Sanitized before it is stored; `text` is derived from it when empty.",
    )
    subject = serializers.CharField(max_length=500, allow_blank=True, default="")
    provider_id = serializers.CharField(
        max_length=255, required=False, allow_null=True, default=None,
        help_text="Your id for the message. Sending the same id again records nothing new "
        "and answers 200 with the original ids: retry safely.",
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    meta = serializers.DictField(required=False, default=dict)

    def validate_text(self, text: str) -> str:
        return _within_limit(text)

    def validate_html(self, html: str) -> str:
        return _within_limit(html)

    def validate_occurred_at(self, value: datetime | None) -> datetime | None:
        # The pipeline looks back over the continuity window from this time and orders
        # the timeline by it: a time outside any plausible range is a client's bug.
        latest = timezone.now() + MAX_CLOCK_SKEW
        if value is not None and not (EARLIEST_OCCURRED_AT <= value <= latest):
            raise serializers.ValidationError(
                f"Must be between {EARLIEST_OCCURRED_AT:%Y-%m-%d} and a day from now."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["text"].strip() and not attrs["html"].strip():
            raise serializers.ValidationError({"text": ["A message needs text or html."]})
        return attrs


def _within_limit(value: str) -> str:
    limit = inbound_max_chars()
    if len(value) > limit:
        raise serializers.ValidationError(
            f"Too long: {len(value)} characters, at most {limit} are accepted."
        )
    return value


class InboundAcceptedSerializer(serializers.Serializer[Any]):
    accepted = serializers.BooleanField(
        help_text="True: the message is kept and will be recorded in a moment (in order "
        "with the same sender's other messages)."
    )


class InboundResultSerializer(serializers.Serializer[Any]):
    interaction = serializers.IntegerField()
    conversation = serializers.IntegerField()
    customer = serializers.IntegerField()
    created = serializers.BooleanField(
        help_text="False when this provider_id was recorded before: nothing new was written."
    )
