"""Conversations, and the inputs of what agents do to them (update, reply, note). The
output serializer describes conversations.payloads for the schema and answers with it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework import serializers

from agents.models import Team
from api.schema import enum_field
from api.serializers.customers import CustomerRefSerializer
from api.serializers.directory import TeamRefSerializer, UserRefSerializer
from conversations.channels import channel_choices
from conversations.models import Conversation, ConversationStatus, Priority
from conversations.params import MAX_ID
from conversations.payloads import conversation_payload


def _moment(help_text: str = "") -> serializers.DateTimeField:
    return serializers.DateTimeField(read_only=True, allow_null=True, help_text=help_text)


class SlaSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """routing's SLA clock of the conversation: the target that runs now."""

    target = serializers.CharField(
        read_only=True, help_text="first_response, next_response or resolution."
    )
    channel = serializers.CharField(
        read_only=True, help_text="The channel whose target runs (the oldest unanswered one)."
    )
    due_at = _moment("Empty while paused.")
    warn_at = _moment("When the target turns at risk.")
    state = serializers.CharField(
        read_only=True, help_text="running, at_risk, breached, paused, met or empty."
    )
    breached_at = _moment()
    started_at = _moment()
    resolution_due_at = _moment("When the conversation is due to be resolved, if a policy says.")
    resolution_warn_at = _moment("When the resolution target turns at risk.")
    resolution_breached_at = _moment("When the resolution target was breached.")


class ConversationSerializer(serializers.Serializer[Conversation]):
    """conversations.payloads.conversation_payload: what the API answers and what
    `conversation.created` / `conversation.updated` carry."""

    id = serializers.IntegerField(read_only=True)
    customer = CustomerRefSerializer(read_only=True)
    status = enum_field("ConversationStatus", ConversationStatus.choices, read_only=True)
    snoozed_until = _moment()
    team = TeamRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    subject = serializers.CharField(read_only=True)
    channels = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Every channel the conversation used, either way, first use first.",
    )
    last_inbound_channel = serializers.CharField(read_only=True)
    last_inbound_inbox_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The inbox the customer last wrote to."
    )
    awaiting_channel = serializers.CharField(
        read_only=True,
        help_text="The channel of the oldest unanswered inbound message; empty when none.",
    )
    awaiting_since = _moment("Since when the customer waits for an answer.")
    first_inbound_at = _moment()
    last_inbound_at = _moment()
    first_response_at = _moment()
    last_response_at = _moment()
    first_response_due_at = _moment()
    next_response_due_at = _moment()
    sla = SlaSerializer(read_only=True, allow_null=True)
    resolved_at = _moment()
    last_activity_at = _moment()
    last_message_preview = serializers.CharField(
        read_only=True, help_text="The last message, call or note on one line (the list's "
                                  "preview); notes start with \"Note: \".",
    )
    last_message_at = _moment("When the last message, call or note happened.")
    created_at = _moment()
    updated_at = _moment()

    def to_representation(self, instance: Conversation) -> dict[str, Any]:
        return conversation_payload(instance)


class ConversationUpdateSerializer(serializers.Serializer[Any]):
    """Any of these at once; each change leaves an event on the timeline."""

    status = enum_field("ConversationStatus", ConversationStatus.choices, required=False)
    snoozed_until = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Required with status `snoozed`."
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(agent__isnull=False, is_active=True),
        allow_null=True, required=False,
        error_messages={"does_not_exist": "User {pk_value} is not an active agent."},
        help_text="An agent's user id, or null to unassign.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False,
        error_messages={"does_not_exist": "There is no team {pk_value}."},
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=100
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Nothing to change.")
        status = attrs.get("status")
        if status == ConversationStatus.SNOOZED and not attrs.get("snoozed_until"):
            raise serializers.ValidationError({"snoozed_until": ["Snoozing needs a time."]})
        if attrs.get("snoozed_until") and status != ConversationStatus.SNOOZED:
            raise serializers.ValidationError(
                {"snoozed_until": ["Only goes with status `snoozed`."]}
            )
        return attrs


class WhatsAppTemplateSerializer(serializers.Serializer[Any]):
    content_sid = serializers.RegexField(r"^HX[0-9a-fA-F]{32}$")
    variables = serializers.DictField(child=serializers.CharField(), required=False, default=dict)


class ReplyInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    html = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    channel = enum_field(
        "MessageChannel", channel_choices(), required=False,
        help_text="Default: the channel the customer last wrote on.",
    )
    subject = serializers.CharField(max_length=500, allow_blank=True, default="")
    whatsapp_template = WhatsAppTemplateSerializer(
        required=False,
        help_text="An approved WhatsApp template, required outside the 24-hour window.",
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values: dict[str, Any] = super().to_internal_value(data)
        template = values.pop("whatsapp_template", None)
        if template is not None:
            values["meta"] = {"whatsapp_template": template}
        return values


class NoteInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(trim_whitespace=False)
    html = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)


class MergeConversationSerializer(serializers.Serializer[Any]):
    other = serializers.IntegerField(
        min_value=1, max_value=MAX_ID,
        help_text="The conversation merged INTO this one (same customer); it ends resolved."
    )


class SplitConversationSerializer(serializers.Serializer[Any]):
    interactions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
        max_length=500,
        help_text="Ids of this conversation's messages and calls to move to a new one.",
    )
