"""The persona world of the security tests: seven personas and a helpdesk with
conversations in two teams, one assigned across teams, a customer nobody holds yet, an
attachment and a raw email to download.

Personas: admin (a superuser with the admin role, as in the demo), lead, agent_a (team
A), agent_b (team B), agent_none (an agent in no team), outsider (signed in, no agent
profile), anonymous.

Objects (World.ids): conv_a (team A, customer cust_a, an SMS with an attachment
att_a), conv_b and conv_b2 (team B, both of cust_b, emails; conv_b has two messages,
int_b1 with its raw bytes and int_b2), conv_c (team B, customer cust_c, assigned to
agent_none), cust_new (no conversation), identity_a (cust_a's phone), inbox_a (Twilio,
team A), inbox_api (API, team A), inbox_b (email, team B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agents.models import Agent, Role, Team
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundAttachment
from conversations.models import Conversation, Inbox
from customers.models import Customer, Identity
from macros.models import CannedResponse, Macro
from tests.conftest import make_user
from tests.factories import inbound
from workspace.models import Notification

PERSONAS = ("admin", "lead", "agent_a", "agent_b", "agent_none", "outsider", "anonymous")


@dataclass
class World:
    users: dict[str, User | None]
    ids: dict[str, int] = field(default_factory=dict)

    def api(self, persona: str) -> APIClient:
        """An API client authenticated as the persona with its API token."""
        client = APIClient()
        user = self.users[persona]
        if user is not None:
            key = Token.objects.get_or_create(user=user)[0].key
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    def browser(self, persona: str) -> Client:
        """A client signed in with a session, as a browser is."""
        client = Client()
        user = self.users[persona]
        if user is not None:
            client.force_login(user)
        return client

    def key_of(self, kind: str, pk: int) -> str:
        """The World.ids key of an object id ("conv_a" for conv_a's id)."""
        for key, value in self.ids.items():
            if key.startswith(kind) and value == pk:
                return key
        return f"{kind}?{pk}"


def make_personas(team_a: Team, team_b: Team) -> dict[str, User | None]:
    admin = User.objects.create_superuser("admin", "admin@example.test", "pw-admin-123")
    Agent.objects.create(user=admin, role=Role.ADMIN)
    return {
        "admin": admin,
        "lead": make_user("lead", Role.LEAD),
        "agent_a": make_user("agent_a", Role.AGENT, [team_a]),
        "agent_b": make_user("agent_b", Role.AGENT, [team_b]),
        "agent_none": make_user("agent_none", Role.AGENT),
        "outsider": make_user("outsider", None),
        "anonymous": None,
    }


@pytest.fixture
def world(team_a: Team, team_b: Team, twilio_inbox: Inbox, api_inbox: Inbox) -> World:
    users = make_personas(team_a, team_b)
    inbox_b = Inbox.objects.create(
        kind="email", name="Billing mail", slug="billing-mail",
        address="billing@omnidesk.test", team=team_b,
    )
    a = do_record_inbound(inbound(
        twilio_inbox, "sms", "phone", "+14155550100", "Where is my parcel?",
        provider_id="SM-a1", sender_name="Ana Lima",
        attachments=[InboundAttachment("label.png", "image/png", content=b"\x89PNG-bytes")],
    ))
    b1 = do_record_inbound(inbound(
        inbox_b, "email", "email", "bo@example.com", "Invoice 77 is wrong",
        provider_id="<b1@mail.example.com>", subject="Invoice 77", sender_name="Bo Chen",
        raw_bytes=b"From: bo@example.com\r\nSubject: Invoice 77\r\n\r\nInvoice 77 is wrong",
        raw_filename="b1.eml",
    ))
    b2 = do_record_inbound(inbound(
        inbox_b, "email", "email", "bo@example.com", "And invoice 78",
        provider_id="<b2@mail.example.com>", subject="Re: Invoice 77",
        conversation_hint=b1.conversation.pk,
    ))
    other = do_record_inbound(inbound(
        inbox_b, "email", "email", "bo@example.com", "A new question",
        provider_id="<b3@mail.example.com>", subject="Shipping to Lisbon",
        use_continuity=False,
    ))
    c = do_record_inbound(inbound(
        inbox_b, "email", "email", "cy@example.com", "Cancel my plan",
        provider_id="<c1@mail.example.com>", subject="Cancel", sender_name="Cy Diaz",
    ))
    Conversation.objects.filter(pk=c.conversation.pk).update(assignee=users["agent_none"])
    assert b2.conversation.pk == b1.conversation.pk != other.conversation.pk
    new = Customer.objects.create(name="Dee New")
    ids = {
        "conv_a": a.conversation.pk, "conv_b": b1.conversation.pk,
        "conv_b2": other.conversation.pk, "conv_c": c.conversation.pk,
        "cust_a": a.conversation.customer_id, "cust_b": b1.conversation.customer_id,
        "cust_c": c.conversation.customer_id, "cust_new": new.pk,
        "int_a": a.interaction.pk, "int_b1": b1.interaction.pk, "int_b2": b2.interaction.pk,
        "int_b3": other.interaction.pk, "int_c": c.interaction.pk,
        "att_a": a.interaction.attachments.get().pk,
        "identity_a": Identity.objects.get(value="+14155550100").pk,
        "inbox_a": twilio_inbox.pk, "inbox_api": api_inbox.pk, "inbox_b": inbox_b.pk,
        "team_a": team_a.pk, "team_b": team_b.pk,
    }
    for persona, user in users.items():
        if user is not None:
            ids[f"user_{persona}"] = user.pk
    ids.update(workspace_objects(users, team_a, team_b, ids))
    ids.update(help_center_objects())
    ids.update(routing_objects(team_b))
    return World(users=users, ids=ids)


def workspace_objects(users: dict[str, User | None], team_a: Team, team_b: Team,
                      ids: dict[str, int]) -> dict[str, int]:
    """Canned responses and macros of each scope, and an unread notification for each
    agent persona (for the workspace's rows)."""
    agent_a = users["agent_a"]
    mine = CannedResponse.objects.create(name="Mine", shortcut="mine", body="a", owner=agent_a)
    team = CannedResponse.objects.create(name="Team B", shortcut="tb", body="b", team=team_b)
    everyone = CannedResponse.objects.create(name="All", shortcut="all", body="c")
    macro_all = Macro.objects.create(name="Tag it", actions=[{"type": "add_tags",
                                                              "tags": ["macro"]}])
    macro_a = Macro.objects.create(name="Team A's", team=team_a,
                                   actions=[{"type": "priority", "priority": 2}])
    for persona in ("admin", "lead", "agent_a", "agent_b", "agent_none"):
        user = users[persona]
        assert user is not None
        Notification.objects.create(recipient=user, kind="assignment",
                                    conversation_id=ids["conv_c"], text="For you")
    return {"canned_mine": mine.pk, "canned_b": team.pk, "canned_all": everyone.pk,
            "macro_all": macro_all.pk, "macro_a": macro_a.pk}


def help_center_objects() -> dict[str, int]:
    """A published and a draft help-center article (anyone reads the first)."""
    from helpcenter.models import Article, Category

    category = Category.objects.create(slug="faq", name="FAQ")
    public = Article.objects.create(category=category, slug="public", title="Public",
                                    status="published")
    draft = Article.objects.create(category=category, slug="draft", title="Draft")
    return {"art_pub": public.pk, "art_draft": draft.pk}


def routing_objects(team_b: Team) -> dict[str, int]:
    """A business-hours calendar, an SLA policy on it and a routing rule."""
    from routing.models import BusinessHours, RoutingRule, SLAPolicy

    hours = BusinessHours.objects.create(name="Office", timezone="Europe/Berlin",
                                         weekly_hours={"mon": [["09:00", "17:00"]]})
    policy = SLAPolicy.objects.create(name="Email", channel="email",
                                      first_response_seconds=3600, business_hours=hours)
    rule = RoutingRule.objects.create(name="Refunds", conditions={"keywords": ["refund"]},
                                      set_team=team_b)
    return {"hours": hours.pk, "policy": policy.pk, "rule": rule.pk}


@pytest.fixture
def world_ids(world: World) -> dict[str, Any]:
    return world.ids
