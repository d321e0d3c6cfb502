from routing.models.clock import ClockState, ConversationSLA, SLAOutcome, Target
from routing.models.hours import BusinessHours
from routing.models.policy import SLAPolicy

__all__ = [
    "BusinessHours",
    "ClockState",
    "ConversationSLA",
    "SLAOutcome",
    "SLAPolicy",
    "Target",
]
