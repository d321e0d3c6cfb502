"""Customers, their identities, and the inputs that change them. The output serializers
describe customers.payloads for the schema and answer with it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.schema import enum_field
from api.storable import unstorable
from conversations.channels import channel_choices
from conversations.params import MAX_ID
from customers.identities import identity_kind_choices
from customers.models import Customer, Identity
from customers.payloads import customer_payload, identity_payload


class IdentitySerializer(serializers.Serializer[Identity]):
    id = serializers.IntegerField(read_only=True)
    kind = enum_field("IdentityKind", identity_kind_choices(), read_only=True)
    value = serializers.CharField(read_only=True)
    verified = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Identity) -> dict[str, Any]:
        return identity_payload(instance)


class CustomerSerializer(serializers.Serializer[Customer]):
    """customers.payloads.customer_payload: what the API answers and what
    `customer.updated` carries."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    attributes = serializers.DictField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    notes = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    preferred_channel = serializers.CharField(read_only=True)
    identities = IdentitySerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Customer) -> dict[str, Any]:
        return customer_payload(instance)


class CustomerRefSerializer(serializers.Serializer[Any]):
    """A conversation's customer."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CustomerProfileSerializer(serializers.Serializer[Any]):
    """The editable profile (PATCH): every field optional."""

    name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    attributes = serializers.DictField(
        required=False, help_text="Custom attributes (plan, …), replaced as a whole."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=100
    )
    notes = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    language = serializers.CharField(max_length=16, allow_blank=True, required=False)
    preferred_channel = enum_field(
        "PreferredChannel", channel_choices(), allow_blank=True, required=False
    )

    def validate_attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        problem = unstorable(attributes)
        if problem:
            raise serializers.ValidationError(problem)
        return attributes

    def validate_tags(self, tags: list[str]) -> list[str]:
        return sorted({t.strip() for t in tags if t.strip()})


class IdentityInputSerializer(serializers.Serializer[Any]):
    kind = enum_field("IdentityKind", identity_kind_choices())
    value = serializers.CharField(max_length=255)
    verified = serializers.BooleanField(
        default=True, help_text="False for an identity the customer merely claims."
    )


class CustomerCreateSerializer(CustomerProfileSerializer):
    identities = IdentityInputSerializer(many=True, required=False, default=list)


class MergeInputSerializer(serializers.Serializer[Any]):
    other = serializers.IntegerField(
        min_value=1, max_value=MAX_ID,
        help_text="The customer merged INTO this one: its identities, conversations and "
        "history move here and it stops being listed.",
    )


class IdentityConflictSerializer(serializers.Serializer[Any]):
    """409: the identity belongs to another customer; merging them is the way."""

    detail = serializers.CharField()
    customer = serializers.IntegerField(help_text="The customer that has the identity.")
    identity = IdentitySerializer()
    merge_url = serializers.CharField(
        allow_null=True, help_text="POST {\"other\": customer} here to merge the two."
    )
