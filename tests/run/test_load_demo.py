"""`manage.py load_demo`: who and what it creates, through the real pipeline, once."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from agents.models import Agent
from conversations.models import Conversation, Inbox, Interaction
from customers.models import Customer
from demo.loader import DEMO_TWILIO_TOKEN_SECRET, demo_inboxes
from helpcenter.models import Article
from omnidesk.install_secrets import secret_path

pytestmark = pytest.mark.django_db
TOKEN = "f" * 32


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_creates_the_cast_and_cross_channel_histories_once(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    assert "Demo data loaded" in load_demo()

    roles = {a.user.username: (a.role, sorted(t.slug for t in a.teams.all()), a.user.is_superuser)
             for a in Agent.objects.select_related("user")}
    assert roles == {
        "admin": ("admin", [], True),
        "lead": ("lead", ["billing", "sales", "support"], False),
        "agent1": ("agent", ["support"], False),
        "agent2": ("agent", ["billing"], False),
    }
    assert all(u.check_password(settings.OMNIDESK_DEMO_PASSWORD) for u in User.objects.all())
    inboxes = {i.kind: (i.slug, i.address, i.secrets) for i in Inbox.objects.all()}
    assert inboxes == {
        "email": ("demo-support-email", "support@omnidesk.demo", {}),
        "chat": ("demo-website-chat", "", {}),
        "twilio": ("demo-support-line", "+14155550199", {"auth_token": TOKEN}),
        "api": ("demo-shop-events", "", {}),
    }
    assert Customer.objects.count() == 50
    # The help center, and what some chat customers read before writing.
    assert Article.objects.filter(status="published").count() == 12
    views = Interaction.objects.filter(event_type="article_viewed")
    assert views.count() >= 5
    assert all(v.direction == "internal" for v in views)

    # The first customers began on chat, moved to email and ended with a call: one
    # customer, one conversation, each step on its timeline in order.
    journey = Conversation.objects.filter(customer__name="Dana Reyes").latest("last_activity_at")
    assert journey.channels == ["chat", "email", "voice"]
    assert sorted(i.kind for i in journey.customer.identities.all()) == ["chat", "email", "phone"]
    steps = [(i.channel, i.direction) for i in Interaction.objects.filter(
        conversation=journey, kind__in=["message", "call"]).order_by("occurred_at", "id")]
    assert steps == [("chat", "in"), ("chat", "out"), ("chat", "in"), ("email", "in"),
                     ("email", "out"), ("voice", "in")]
    switches = Interaction.objects.filter(conversation=journey, event_type="channel_switched")
    assert [s.meta for s in switches.order_by("occurred_at")] == [
        {"from": "chat", "to": "email"}, {"from": "email", "to": "voice"}]
    journeys = {c.customer.name for c in Conversation.objects.select_related("customer")
                if c.channels == ["chat", "email", "voice"]}
    assert {"Dana Reyes", "Marcus Webb", "Tom Lindqvist", "Mei Chen", "Hannah Fischer",
            "Omar Haddad"} <= journeys

    statuses = set(Conversation.objects.values_list("status", flat=True))
    assert statuses == {"open", "pending", "resolved"}
    assert Conversation.objects.filter(assignee__isnull=False).exists()
    assert Conversation.objects.filter(assignee__isnull=True).exists()
    # History is dated in the past weeks, not at load time.
    oldest = Interaction.objects.order_by("occurred_at").first()
    newest = Interaction.objects.order_by("-occurred_at").first()
    assert (newest.occurred_at - oldest.occurred_at).days >= 14

    counts = (Customer.objects.count(), Conversation.objects.count(), Interaction.objects.count())
    assert load_demo().strip() == "Demo data already loaded; nothing to do."
    assert (Customer.objects.count(), Conversation.objects.count(),
            Interaction.objects.count()) == counts


def test_load_demo_leaves_a_database_with_other_users_alone():
    User.objects.create_user("someone")
    assert load_demo().strip() == (
        "This database already has users or conversations; demo data not loaded.")
    assert not Inbox.objects.exists()
    assert not Customer.objects.exists()


def test_twilio_inbox_without_a_token_gets_this_installs_random_one(settings, tmp_path):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.VAR_DIR = tmp_path
    twilio = next(i for i in demo_inboxes() if i.kind == "twilio")
    token = twilio.secrets["auth_token"]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert secret_path(tmp_path, DEMO_TWILIO_TOKEN_SECRET).read_text().strip() == token
    assert twilio.config["demo_generated_auth_token"] is True
    # The same install keeps its token; another install has its own.
    assert next(i for i in demo_inboxes() if i.kind == "twilio").secrets == twilio.secrets
    settings.VAR_DIR = tmp_path / "other-install"
    assert next(i for i in demo_inboxes() if i.kind == "twilio").secrets != twilio.secrets
