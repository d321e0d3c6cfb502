"""The shapes of /api/v1/reports/... for the schema (reports.payloads builds them)."""

from __future__ import annotations

from rest_framework import serializers


class PercentilesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    median = serializers.IntegerField(allow_null=True, help_text="Seconds; null: none.")
    p90 = serializers.IntegerField(allow_null=True, help_text="Seconds, 90th percentile.")


class HandleTimeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    average = serializers.IntegerField(allow_null=True, help_text="Seconds; null: none.")
    count = serializers.IntegerField()


class HandleTimesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    written = HandleTimeSerializer(help_text="Conversations resolved in the period that an "
                                   "agent wrote in: from the first agent reply to resolution.")
    calls = HandleTimeSerializer(help_text="Calls begun in the period that an agent talked "
                                 "on: the agents' talk time (a call placed by an agent: its "
                                 "duration).")


class SlaTargetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    met = serializers.IntegerField()
    due = serializers.IntegerField(help_text="Targets decided in the period (met or missed).")
    rate = serializers.FloatField(allow_null=True)


class SlaTargetsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    first_response = SlaTargetSerializer()
    next_response = SlaTargetSerializer()
    resolution = SlaTargetSerializer()


class FiguresSerializer(serializers.Serializer):  # type: ignore[type-arg]
    created = serializers.IntegerField(help_text="New conversations (first customer message).")
    first_responses = serializers.IntegerField()
    resolved = serializers.IntegerField()
    first_response_seconds = PercentilesSerializer()
    resolution_seconds = PercentilesSerializer()
    next_responses = serializers.IntegerField(
        help_text="Agent replies that answered customer messages after an earlier reply.")
    next_response_seconds = PercentilesSerializer(
        help_text="From the first customer message after an agent reply to the next reply.")
    handle_seconds = HandleTimesSerializer(help_text="Average handle time.")
    first_contact_resolved = serializers.IntegerField()
    first_contact_resolution_rate = serializers.FloatField(allow_null=True)
    cross_channel = serializers.IntegerField()
    cross_channel_contact_rate = serializers.FloatField(
        allow_null=True, help_text="Resolved conversations whose customer wrote on more than "
        "one channel, over all resolved.")
    repeat_contacts = serializers.IntegerField()
    repeat_contact_rate = serializers.FloatField(allow_null=True)
    sla = SlaTargetsSerializer(help_text="SLA targets decided in the period (routing's "
                               "outcome rows), per target.")
    sla_attainment_rate = serializers.FloatField(allow_null=True,
                                                 help_text="Met over decided, all targets.")


class PeriodSerializer(serializers.Serializer):  # type: ignore[type-arg]
    start = serializers.DateField()
    to = serializers.DateField()
    days = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        fields = super().get_fields()
        fields["from"] = fields.pop("start")  # "from" is a Python keyword
        return fields


class FiltersSerializer(serializers.Serializer):  # type: ignore[type-arg]
    channel = serializers.CharField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    agent = serializers.IntegerField(allow_null=True)


class SummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    filters = FiltersSerializer()
    current = FiguresSerializer()
    previous = FiguresSerializer()
    sla_attainment = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Per target (first_response, next_response, resolution): the share met "
                  "of those decided in the period; null: none decided.")
    csat = serializers.DictField(child=serializers.FloatField(), allow_null=True,
                                 help_text="{sent, answered, response_rate, average, "
                                           "effort_average} of the surveys sent in the "
                                           "period; null when none went out.")


class DaySerializer(serializers.Serializer):  # type: ignore[type-arg]
    day = serializers.DateField()
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()
    backlog = serializers.IntegerField(help_text="Not resolved at the day's end.")


class HeatmapSerializer(serializers.Serializer):  # type: ignore[type-arg]
    weekdays = serializers.ListField(child=serializers.CharField())
    hours = serializers.ListField(child=serializers.IntegerField())
    created = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()),
                                    help_text="[weekday][hour], Monday first.")


class BreakdownRowSerializer(FiguresSerializer):
    key = serializers.JSONField(help_text="The channel, team id or user id; null: none.")
    name = serializers.CharField(help_text="Shown as `label`: the channel's, team's or "
                                 "agent's name.")

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        fields = super().get_fields()
        fields["label"] = fields.pop("name")  # `label` is a Field attribute
        return fields
