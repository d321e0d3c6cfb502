"""Which targets apply to a conversation: the most specific active SLA policy, else the
channel's registry default (conversations.channels)."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.channels import find_channel
from omnidesk.config_cache import ConfigCache
from routing.calendar import Calendar
from routing.models import BusinessHours, SLAPolicy

DEFAULT_WARN_PERCENT = 75
FALLBACK_TARGET_SECONDS = 4 * 3600  # a channel that is not registered (any longer)


@dataclass(frozen=True)
class Targets:
    policy_id: int | None
    first_response: int
    next_response: int
    resolution: int | None
    warn_percent: int
    calendar: Calendar | None  # None: the clock runs around the clock
    notify_lead: bool = True
    raise_priority: bool = False


def default_targets(channel: str) -> Targets:
    spec = find_channel(channel)
    seconds = (
        int(spec.first_response_target.total_seconds()) if spec else FALLBACK_TARGET_SECONDS
    )
    return Targets(None, seconds, seconds, None, DEFAULT_WARN_PERCENT, None)


def _active_policies() -> list[SLAPolicy]:
    """Most specific first: the first that applies wins."""
    policies = SLAPolicy.objects.filter(active=True).select_related("business_hours")
    return sorted(policies, key=lambda p: (-p.specificity(), p.pk))


# Read on every inbound, reply and status change (the clock is kept in its transaction).
active_policies = ConfigCache("sla-policies", _active_policies, [SLAPolicy, BusinessHours])


def applies(policy: SLAPolicy, channel: str, priority: int, tier: str) -> bool:
    return (
        policy.channel in (channel, "")
        and policy.priority in (priority, None)
        and policy.customer_tier in (tier, "")
    )


def matching_policy(channel: str, priority: int, tier: str) -> SLAPolicy | None:
    return next((p for p in active_policies.get() if applies(p, channel, priority, tier)), None)


def targets_of(policy: SLAPolicy) -> Targets:
    calendar = None
    if policy.pause_outside_hours and policy.business_hours is not None:
        calendar = policy.business_hours.calendar()
    return Targets(
        policy_id=policy.pk,
        first_response=policy.first_response_seconds,
        next_response=policy.next_response_seconds or policy.first_response_seconds,
        resolution=policy.resolution_seconds,
        warn_percent=policy.warn_percent,
        calendar=calendar,
        notify_lead=policy.escalate_notify_lead,
        raise_priority=policy.escalate_raise_priority,
    )


def targets_for(channel: str, priority: int, tier: str) -> Targets:
    policy = matching_policy(channel, priority, tier)
    return targets_of(policy) if policy is not None else default_targets(channel)
