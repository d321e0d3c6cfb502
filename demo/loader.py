"""Loads the demo: the team set-up, then 50 customers whose histories are played through
the real inbound pipeline, with agents' past replies, notes and outcomes from demo/actions.

Deterministic: one seeded Random decides every name, time and outcome, relative to `now`.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Team
from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.actions.reply import do_record_sent_reply
from conversations.inbound import InboundEvent
from conversations.models import (
    Conversation,
    ConversationStatus,
    Inbox,
    Interaction,
    InteractionKind,
    Priority,
)
from customers.actions.profile import do_add_identity, do_update_customer
from customers.models import Customer, Identity
from demo import articles, data
from demo.actions import (
    DemoInbox,
    DemoUser,
    do_create_demo_setup,
    do_set_demo_state,
)
from helpcenter.actions import do_record_article_view, do_save_article
from helpcenter.models import Article, ArticleStatus, Category
from macros.actions import do_save_canned, do_save_macro
from omnidesk.install_secrets import install_secret

SEED = 20250607
INBOX_SLUGS = {"email": "demo-support-email", "chat": "demo-website-chat",
               "twilio": "demo-support-line", "api": "demo-shop-events"}
# Without TWILIO_AUTH_TOKEN the demo number gets a token of this install (kept in the var
# folder), never a constant of the source that anyone could sign webhooks with.
DEMO_TWILIO_TOKEN_SECRET = "demo_twilio_auth_token"  # noqa: S105 - a file name
TWILIO_NUMBER = "+14155550199"
# How a customer's latest conversation stands: open and waiting for an answer, pending
# (waiting on the customer), or resolved.
WAITING = ConversationStatus.OPEN
PENDING = ConversationStatus.PENDING
RESOLVED = ConversationStatus.RESOLVED
# The identity kind that names the customer on each channel (API events name them by email).
IDENTITY_OF_CHANNEL = {"email": "email", "api": "email", "chat": "chat", "sms": "phone",
                       "whatsapp": "phone", "voice": "phone"}
INBOX_OF_CHANNEL = {"email": "email", "api": "api", "chat": "chat", "sms": "twilio",
                    "whatsapp": "twilio", "voice": "twilio"}


def random_twilio_token() -> str:
    """Shaped like Twilio's auth tokens: 32 hex digits."""
    return secrets.token_hex(16)


def demo_present() -> bool:
    return Inbox.objects.filter(slug__in=INBOX_SLUGS.values()).exists()


def demo_inboxes() -> list[DemoInbox]:
    token = settings.TWILIO_AUTH_TOKEN
    account_sid = settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32
    twilio_config: dict[str, object] = {"account_sid": account_sid}
    if not token:
        token = install_secret(settings.VAR_DIR, DEMO_TWILIO_TOKEN_SECRET, random_twilio_token)
        # Marked so nobody mistakes it for a working number: webhooks signed by the real
        # Twilio will not verify until an admin enters the account's auth token.
        twilio_config["demo_generated_auth_token"] = True
    return [
        DemoInbox("email", "Support email", INBOX_SLUGS["email"], "support@omnidesk.demo",
                  "support", {}, {}),
        DemoInbox("chat", "Website chat", INBOX_SLUGS["chat"], "", "support", {
            "widget_key": "demo", "greeting": "Hi! Ask us anything about your order.",
            "launcher_text": "Chat with us", "reply_time": "within two hours",
        }, {}),
        DemoInbox("twilio", "Support line", INBOX_SLUGS["twilio"], TWILIO_NUMBER, "support",
                  twilio_config, {"auth_token": token}),
        DemoInbox("api", "Shop events", INBOX_SLUGS["api"], "", "billing", {}, {}),
    ]


@dataclass
class Person:
    name: str
    email: str
    phone: str
    visitor: str
    values: dict[str, str]
    customer: Customer | None = None

    @property
    def first(self) -> str:
        return self.name.split()[0]

    def identity(self, channel: str) -> tuple[str, str]:
        kind = IDENTITY_OF_CHANNEL[channel]
        return kind, {"email": self.email, "phone": self.phone, "chat": self.visitor}[kind]


class DemoLoader:
    def __init__(self, *, now: datetime, seed: int = SEED) -> None:
        self.now = now
        self.rng = random.Random(seed)
        self.inboxes: dict[str, Inbox] = {}
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.serial = 0

    def load(self, password: str) -> None:
        with transaction.atomic():
            do_create_demo_setup(
                teams=data.TEAMS,
                users=[DemoUser(u, f, la, r, t, s) for u, f, la, r, t, s in data.USERS],
                inboxes=demo_inboxes(),
                password=password,
            )
            self.inboxes = {k: Inbox.objects.get(slug=s) for k, s in INBOX_SLUGS.items()}
            names = [spec[0] for spec in data.USERS]
            self.users = {u.username: u for u in User.objects.filter(username__in=names)}
            self.teams = {t.slug: t for t in Team.objects.all()}
            for index, name in enumerate(data.CUSTOMER_NAMES):
                self._load_customer(index, self._person(index, name))
            self._load_shared_replies()
            self._load_help_center()

    def _load_help_center(self) -> None:
        """A dozen articles, and the ones some chat customers read before writing: on
        their timelines, a few minutes before their first chat message."""
        categories = {
            slug: Category.objects.create(slug=slug, name=name, description=about,
                                          position=position)
            for position, (slug, name, about) in enumerate(articles.CATEGORIES)
        }
        found = [
            do_save_article(Article(category=categories[cat], slug=slug, title=title,
                                    description=about, body=body,
                                    status=ArticleStatus.PUBLISHED))
            for cat, slug, title, about, body in articles.ARTICLES
        ]
        first_chat: dict[int, datetime] = {}
        for customer_id, at in (
            Interaction.objects.filter(channel="chat", direction="in")
            .order_by("customer_id", "occurred_at").values_list("customer_id", "occurred_at")
        ):
            first_chat.setdefault(customer_id, at)
        for customer_id in sorted(first_chat)[::3]:
            do_record_article_view(customer_id, self.rng.choice(found),
                                   at=first_chat[customer_id] - timedelta(minutes=3))

    def _load_shared_replies(self) -> None:
        """The workspace's canned responses and macros: shared with everyone, with a
        team, and one agent's own."""
        support = self.teams["support"]
        for name, shortcut, body, team, owner in data.CANNED_RESPONSES:
            do_save_canned(None, name=name, shortcut=shortcut, body=body,
                           team=self.teams[team] if team else None,
                           owner=self.users[owner] if owner else None)
        for name, description, steps in data.MACROS:
            do_save_macro(None, name=name, description=description, actions=steps, team=support)

    def _person(self, index: int, name: str) -> Person:
        rng = self.rng
        words = name.lower().replace("'", "").split()
        email = f"{words[0]}.{words[-1]}@{rng.choice(data.EMAIL_DOMAINS)}"
        if index % 5 == 4:
            phone = f"+447700900{100 + index:03d}"  # Ofcom's drama range
        else:
            phone = f"+1{data.US_AREA_CODES[index % 8]}5550{100 + index:03d}"
        values = {
            "first": name.split()[0],
            "order": f"#{rng.randint(10200, 48999)}",
            "invoice": f"INV-2025-{rng.randint(1000, 9999)}",
            "amount": f"${rng.choice([19, 29, 49, 89, 149, 249])}.00",
            "tracking": f"1Z{rng.randint(10**9, 10**10 - 1)}",
            "plan": rng.choice(data.PLANS),
        }
        return Person(name, email, phone, f"visitor-{rng.getrandbits(48):012x}", values)

    def _load_customer(self, index: int, person: Person) -> None:
        rng = self.rng
        if index < 8:
            stories = [data.JOURNEYS[index % len(data.JOURNEYS)]]
        else:
            stories = [rng.choice(data.STORIES)]
        if rng.random() < 0.3:
            earlier = rng.choice([s for s in data.STORIES if s.repeatable and s is not stories[0]])
            stories.insert(0, earlier)
        end = self.now - timedelta(minutes=rng.uniform(5, 60 * 24 * 9))
        plans: list[tuple[data.Story, list[tuple[Any, ...]], list[datetime], str]] = []
        for position in range(len(stories) - 1, -1, -1):
            story = stories[position]
            outcome = self._outcome(index) if position == len(stories) - 1 else RESOLVED
            steps = self._cut(story.steps, outcome) if index >= 8 else story.steps
            times = self._times(steps, end)
            plans.insert(0, (story, steps, times, outcome))
            end = times[0] - timedelta(days=rng.uniform(2, 12))
        for story, steps, times, outcome in plans:
            self._play(person, story, steps, times, outcome)

    def _outcome(self, index: int) -> str:
        """How the customer's latest conversation stands today. The cross-channel journeys
        (the first customers) are played in full: resolved, or still open after the call."""
        if index < 8:
            return RESOLVED if index % 2 else WAITING
        return self.rng.choices([WAITING, PENDING, RESOLVED], [35, 25, 40])[0]

    def _cut(self, steps: list[tuple[Any, ...]], outcome: str) -> list[tuple[Any, ...]]:
        """Waiting: stop after a customer's message. Pending: after an agent's reply."""
        if outcome == RESOLVED:
            return steps
        kinds = ("in", "call") if outcome == WAITING else ("out",)
        cuts = [i for i, step in enumerate(steps) if step[0] in kinds]
        return steps[: self.rng.choice(cuts) + 1]

    def _times(self, steps: list[tuple[Any, ...]], end: datetime) -> list[datetime]:
        offsets = [0.0]
        for prev, step in pairwise(steps):
            offsets.append(offsets[-1] + self._gap_minutes(prev, step))
        start = end - timedelta(minutes=offsets[-1])
        return [start + timedelta(minutes=m, seconds=self.rng.randint(0, 59)) for m in offsets]

    def _gap_minutes(self, prev: tuple[Any, ...], step: tuple[Any, ...]) -> float:
        uniform = self.rng.uniform
        prev_channel = "voice" if prev[0] == "call" else prev[1]
        channel = "voice" if step[0] == "call" else step[1]
        if prev[0] == "call":
            return uniform(20, 600)
        if channel != prev_channel:
            return uniform(60, 2400)
        if channel == "chat":
            return uniform(1, 4)
        if channel == "email":
            return uniform(25, 300) if step[0] == "out" else uniform(60, 1500)
        return uniform(4, 90) if step[0] == "out" else uniform(5, 240)

    def _play(self, person: Person, story: data.Story, steps: list[tuple[Any, ...]],
              times: list[datetime], outcome: str) -> None:
        agent = self.users[data.TEAM_AGENT[story.team]]
        conversation: Conversation | None = None
        last_email_id = ""
        for step, at in zip(steps, times, strict=True):
            kind = step[0]
            if kind in ("in", "call"):
                conversation = self._inbound(person, story, step, at, last_email_id, agent)
                if step is steps[0]:
                    self._triage(conversation, story, agent, at, answered=len(steps) > 1)
            elif kind == "out" and conversation is not None:
                channel = step[1]
                self._link(person, channel)
                provider_id = f"<demo-{self._next()}@omnidesk.demo>" if channel == "email" else None
                text = step[2].format(agent=agent.first_name, **person.values)
                do_record_sent_reply(conversation=conversation, author=agent, channel=channel,
                                     at=at, text=text, provider_id=provider_id)
                last_email_id = provider_id or last_email_id
        assert conversation is not None
        if outcome != WAITING:
            finished = min(times[-1] + timedelta(minutes=self.rng.uniform(2, 90)),
                           self.now - timedelta(seconds=30))
            do_set_demo_state(conversation, by=agent, at=finished, status=outcome)

    def _inbound(self, person: Person, story: data.Story, step: tuple[Any, ...], at: datetime,
                 last_email_id: str, agent: User) -> Conversation:
        channel = "voice" if step[0] == "call" else step[1]
        self._link(person, channel)
        kind, value = person.identity(channel)
        event = InboundEvent(
            inbox=self.inboxes[INBOX_OF_CHANNEL[channel]],
            channel=channel, sender_kind=kind, sender_value=value, occurred_at=at,
            sender_name=person.name if channel in ("email", "chat") else "",
            provider_id=self._provider_id(channel),
        )
        if step[0] == "call":
            minutes, seconds = divmod(step[1], 60)
            event.kind = InteractionKind.CALL
            event.text = (f"Inbound call answered by {agent.get_full_name()} "
                          f"({minutes} min {seconds} s)")
            event.meta = {"duration": step[1], "call_status": "completed",
                          "answered_by": agent.get_username()}
        else:
            event.text = step[2].format(agent=agent.first_name, **person.values)
        # SMS, WhatsApp and calls carry no subject; the chat widget asks for a topic.
        subject = story.subject.format(**person.values)
        if channel == "email":
            event.subject = f"Re: {subject}" if last_email_id else (subject or "Question")
            event.thread_refs = [last_email_id] if last_email_id else []
        elif channel in ("chat", "api"):
            event.subject = subject
        result = do_record_inbound(event)
        if person.customer is None:
            person.customer = result.conversation.customer
            do_update_customer(person.customer, name=person.name, language="en",
                               attributes={"plan": person.values["plan"],
                                           "orders": self.rng.randint(1, 24)})
        if step[0] == "call":
            summary = step[2].format(**person.values)
            do_add_note(conversation=result.conversation, author=agent, text=summary,
                        at=at + timedelta(seconds=step[1] + 40))
        return result.conversation

    def _triage(self, conversation: Conversation, story: data.Story, agent: User, at: datetime,
                answered: bool) -> None:
        """What the lead did on arrival: the right team, an owner, priority and tags."""
        rng = self.rng
        priority = story.priority
        if rng.random() < 0.15:
            priority = rng.choice([Priority.HIGH, Priority.URGENT])
        do_set_demo_state(
            conversation, by=self.users["lead"], at=at + timedelta(seconds=30),
            team=self.teams[story.team],
            assignee=agent if answered or rng.random() < 0.5 else None,
            priority=priority, tags=story.tags,
        )

    def _link(self, person: Person, channel: str) -> None:
        """The customer told us this identity (a chat pre-form, an email signature); the
        agent added it to their profile, so that channel's messages join them."""
        if person.customer is None:
            return
        kind, value = person.identity(channel)
        do_add_identity(person.customer, kind, value)

    def _provider_id(self, channel: str) -> str:
        token = f"{self.rng.getrandbits(128):032x}"
        return {
            "email": f"<{token[:20]}@mail.example.com>",
            "sms": f"SM{token}", "whatsapp": f"SM{token}", "voice": f"CA{token}",
            "chat": f"chat-{token[:24]}", "api": f"evt_{token[:24]}",
        }[channel]

    def _next(self) -> str:
        self.serial += 1
        return f"{self.serial:05d}"


def summary() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "identities": Identity.objects.count(),
        "conversations": Conversation.objects.count(),
        "interactions": Interaction.objects.count(),
        "open": Conversation.objects.filter(status=ConversationStatus.OPEN).count(),
        "pending": Conversation.objects.filter(status=ConversationStatus.PENDING).count(),
        "resolved": Conversation.objects.filter(status=ConversationStatus.RESOLVED).count(),
    }
