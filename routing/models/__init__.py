from routing.models.clock import ClockState, ConversationSLA, SLAOutcome, Target
from routing.models.hours import BusinessHours
from routing.models.policy import SLAPolicy
from routing.models.rule import RoutingRule

__all__ = [
    "BusinessHours",
    "ClockState",
    "ConversationSLA",
    "RoutingRule",
    "SLAOutcome",
    "SLAPolicy",
    "Target",
]
