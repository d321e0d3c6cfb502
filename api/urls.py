"""REST API v1, mounted at /api/v1/ by omnidesk/urls.py.

/api/v1/inbound/ belongs to channels_api (included later at ""): no route here may
match it.
"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.views.articles import ArticleViewSet
from api.views.conversations import ConversationViewSet
from api.views.customers import CustomerViewSet
from api.views.directory import AgentListViewSet, TeamViewSet
from api.views.inboxes import InboxViewSet
from api.views.interactions import InteractionViewSet
from api.views.macros import CannedResponseViewSet, MacroViewSet
from api.views.presence import MyPresenceView
from api.views.reports import ReportViewSet
from api.views.routing import (
    AgentRoutingViewSet,
    BusinessHoursViewSet,
    RoutingRuleViewSet,
    SLAPolicyViewSet,
    TeamRoutingViewSet,
)

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("inboxes", InboxViewSet, basename="inbox")
router.register("teams", TeamViewSet, basename="team")
router.register("agents", AgentListViewSet, basename="agent")
router.register("canned-responses", CannedResponseViewSet, basename="canned-response")
router.register("macros", MacroViewSet, basename="macro")
router.register("articles", ArticleViewSet, basename="article")
router.register("reports", ReportViewSet, basename="report")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")
router.register("sla-policies", SLAPolicyViewSet, basename="sla-policy")
router.register("business-hours", BusinessHoursViewSet, basename="business-hours")
router.register("agent-routing", AgentRoutingViewSet, basename="agent-routing")
router.register("team-routing", TeamRoutingViewSet, basename="team-routing")

urlpatterns = [
    path("me/presence/", MyPresenceView.as_view(), name="presence"),
    *router.urls,
]
