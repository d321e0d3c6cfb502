"""Every realtime event name, in one place, each declared agent-only or visitor-safe.

The chokepoint (`realtime.publish`) refuses an agent-only event addressed to a chat
visitor, and a visitor-safe event whose payload holds an internal note or an internal
interaction.
"""

from __future__ import annotations

CONVERSATION_CREATED = "conversation.created"
CONVERSATION_UPDATED = "conversation.updated"
INTERACTION_CREATED = "interaction.created"
INTERACTION_UPDATED = "interaction.updated"
CUSTOMER_UPDATED = "customer.updated"
CALL_RINGING = "call.ringing"
# To one agent: their role or teams changed; their socket re-joins its groups.
AGENT_UPDATED = "agent.updated"
# To the leads and the agent: their presence (online / away / offline) changed.
AGENT_PRESENCE = "agent.presence"
# To the conversation's team and the leads: an SLA target is at risk / was breached.
SLA_AT_RISK = "sla.at_risk"
SLA_BREACHED = "sla.breached"
# To one agent: a mention or an assignment for them (the workspace's notifications).
NOTIFICATION_CREATED = "notification.created"
# Someone is typing in a conversation: an agent (to the chat visitor) or the visitor (to
# the agents). Carries no message text.
TYPING = "typing"

AGENT_ONLY = frozenset(
    {
        CONVERSATION_CREATED,
        CONVERSATION_UPDATED,
        CUSTOMER_UPDATED,
        CALL_RINGING,
        AGENT_UPDATED,
        AGENT_PRESENCE,
        SLA_AT_RISK,
        SLA_BREACHED,
        NOTIFICATION_CREATED,
    }
)
# A customer's own messages and our replies to them; never notes (checked per payload).
VISITOR_SAFE = frozenset({INTERACTION_CREATED, INTERACTION_UPDATED, TYPING})

ALL = AGENT_ONLY | VISITOR_SAFE
