"""Apply the first matching routing rule to a conversation: its team, priority, tags and
agent through the conversation action, and a timeline event naming the rule."""

from __future__ import annotations

from django.db import transaction

from conversations.actions.timeline import CHANNEL_SWITCHED, record_event
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from routing.models import RoutingRule
from routing.rules import facts_of, first_match

ROUTED = "routed"


def switched_channel(interaction: Interaction) -> bool:
    """The inbound moved the conversation to another channel (ingest recorded the switch
    right after it)."""
    return Interaction.objects.filter(
        conversation_id=interaction.conversation_id,
        event_type=CHANNEL_SWITCHED,
        id__gt=interaction.pk,
        occurred_at=interaction.occurred_at,
    ).exists()


def do_route(conversation_id: int, interaction_id: int, *, created: bool) -> RoutingRule | None:
    """Run the rules on a new conversation, or on a channel switch (rules that say so)."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer")
            .filter(pk=conversation_id)
            .first()
        )
        interaction = Interaction.objects.filter(pk=interaction_id).first()
        if conversation is None or interaction is None:
            return None
        channel_switch = not created and switched_channel(interaction)
        if not created and not channel_switch:
            return None
        facts = facts_of(conversation, interaction)
        rule, verdicts = first_match(facts, channel_switch=channel_switch)
        if rule is None:
            return None
        changes: dict[str, object] = {}
        if rule.set_team_id is not None:
            changes["team"] = rule.set_team
        if rule.set_priority is not None:
            changes["priority"] = rule.set_priority
        if rule.add_tags:
            changes["tags"] = sorted(set(conversation.tags) | set(rule.add_tags))
        if rule.set_agent_id is not None:
            changes["assignee"] = rule.set_agent
        why = "; ".join(why for _name, _ok, why in verdicts[-1].checks) or "no conditions"
        record_event(
            conversation,
            ROUTED,
            f"Routing rule “{rule.name}” matched ({why})",
            meta={"rule_id": rule.pk, "rule": rule.name, "changes": sorted(changes),
                  "channel_switch": channel_switch},
        )
        if changes:
            do_update_conversation(conversation, by=None, changes=changes)
    return rule
