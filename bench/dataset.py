"""The latency data set, written with COPY (not through the pipeline) in chunks of 10,000
customers, at the scale BENCH_SCALE names (bench.env.SCALE):

- 100k (default): 100,000 customers, 125,000 conversations, 1,000,000 interactions
  (a quarter of the customers have an older, resolved conversation; 8 interactions each);
- 10m: 1,000,000 customers, 2,000,000 conversations, 10,000,000 interactions (every
  customer has an older, resolved conversation and a latest one; 5 interactions each).

Each chunk commits with a progress marker, so an interrupted generation resumes where it
stopped, and a complete one is skipped. Ids are assigned here (deterministic per chunk),
then the tables' identity sequences are moved past them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models, transaction

from agents.models import Agent, Role, Team
from bench import env
from conversations.models import Conversation, Inbox, Interaction
from customers.models import Customer, Identity


@dataclass(frozen=True)
class Scale:
    customers: int
    two_conversations_per_chunk: int  # these customers have an older, resolved conversation
    interactions_per_conversation: int


SCALES = {
    "100k": Scale(100_000, 2_500, 8),
    "10m": Scale(1_000_000, 10_000, 5),
}
SCALE = SCALES[env.SCALE]
CUSTOMERS = SCALE.customers
CHUNK = 10_000
TWO_CONVERSATIONS_PER_CHUNK = SCALE.two_conversations_per_chunk
INTERACTIONS_PER_CONVERSATION = SCALE.interactions_per_conversation
CONVERSATIONS_PER_CHUNK = CHUNK + TWO_CONVERSATIONS_PER_CHUNK
CHUNKS = CUSTOMERS // CHUNK
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
CHANNELS = ["email", "chat", "sms", "voice", "api", "whatsapp"]
INBOX_OF = {"email": "email", "chat": "chat", "sms": "twilio", "voice": "twilio",
            "whatsapp": "twilio", "api": "api"}
TEXTS = [
    "Hi, my order has not arrived yet, can you check the tracking for me?",
    "Thanks for the quick answer, that solved it.",
    "I was charged twice this month, please refund one of the payments.",
    "Could you send me the invoice for last month as a PDF?",
    "The app logs me out every few minutes since the last update.",
    "We'd like to add five more seats to our plan, what does that cost?",
    "I've sent the photos of the damaged box by email.",
    "Inbound call, 3 min 12 s",
]
META_KEY = "dataset"
MARKER_VERSION = "v1"


def ensure_meta_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")


def chunks_done() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [META_KEY])
        row = cursor.fetchone()
    if row is None:
        return 0
    version, done = row[0].split(":")
    return int(done) if version == MARKER_VERSION else 0


def ensure_setup() -> dict[str, Any]:
    """Teams, an admin, an agent of the first team, one inbox per kind (idempotent)."""
    teams = [Team.objects.get_or_create(slug=s, defaults={"name": n})[0]
             for n, s in [("Support", "support"), ("Billing", "billing"), ("Sales", "sales")]]
    admin = _user("bench-admin", Role.ADMIN, [])
    agent = _user("bench-agent", Role.AGENT, [teams[0]])
    inboxes = {}
    for kind in ("email", "chat", "twilio", "api"):
        inboxes[str(kind)] = Inbox.objects.get_or_create(
            slug=f"bench-{kind}", defaults={"kind": kind, "name": f"Bench {kind}", "team": teams[0]}
        )[0]
    return {"teams": teams, "admin": admin, "agent": agent, "inboxes": inboxes}


def _user(username: str, role: str, teams: list[Team]) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        Agent.objects.create(user=user, role=role).teams.set(teams)
    return user


def generate(setup: dict[str, Any], log: Callable[[str], None]) -> None:
    ensure_meta_table()
    start = chunks_done()
    if start >= CHUNKS:
        conversations = CHUNKS * CONVERSATIONS_PER_CHUNK
        log(f"data set present ({CUSTOMERS:,} customers, {conversations:,} conversations, "
            f"{conversations * INTERACTIONS_PER_CONVERSATION:,} interactions); skipped")
        return
    for chunk in range(start, CHUNKS):
        began = time.monotonic()
        with transaction.atomic():
            _write_chunk(chunk, setup)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_meta (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    [META_KEY, f"{MARKER_VERSION}:{chunk + 1}"],
                )
        log(f"generated chunk {chunk + 1}/{CHUNKS} in {time.monotonic() - began:.1f} s")
    for model in (Customer, Identity, Conversation, Interaction):
        _move_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _write_chunk(chunk: int, setup: dict[str, Any]) -> None:
    rng = random.Random(1000 + chunk)
    teams = [t.pk for t in setup["teams"]]
    agents = [setup["agent"].pk, setup["admin"].pk]
    inboxes = {k: v.pk for k, v in setup["inboxes"].items()}
    now = datetime.now(UTC)
    customers, identities, conversations, interactions = [], [], [], []
    first_customer = chunk * CHUNK + 1
    conversation_id = chunk * CONVERSATIONS_PER_CHUNK
    for offset in range(CHUNK):
        customer_id = first_customer + offset
        created = EPOCH + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
        customers.append({"id": customer_id, "name": f"Customer {customer_id}",
                          "created_at": created, "updated_at": created})
        identities.append({"id": customer_id, "customer_id": customer_id, "kind": "email",
                           "value": f"customer{customer_id}@bench.example", "created_at": created})
        starts = [created]
        if offset < TWO_CONVERSATIONS_PER_CHUNK:
            starts.append(created + timedelta(days=rng.randint(10, 40)))
        for number, started in enumerate(starts):
            conversation_id += 1
            latest = number == len(starts) - 1
            conv, rows = _conversation(rng, conversation_id, customer_id, started, latest,
                                       teams, agents, inboxes, now)
            conversations.append(conv)
            interactions.extend(rows)
    copy(Customer, customers)
    copy(Identity, identities)
    copy(Conversation, conversations)
    copy(Interaction, interactions)


def _conversation(rng: random.Random, conversation_id: int, customer_id: int, started: datetime,
                  latest: bool, teams: list[int], agents: list[int], inboxes: dict[str, int],
                  now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    channels = rng.sample(CHANNELS, rng.choice([1, 1, 2, 3]))
    rows = []
    at = started
    first_id = (conversation_id - 1) * INTERACTIONS_PER_CONVERSATION + 1
    for n in range(INTERACTIONS_PER_CONVERSATION):
        channel = channels[min(n // 3, len(channels) - 1)]
        inbound = n % 2 == 0
        at += timedelta(minutes=rng.randint(2, 600))
        rows.append({
            "id": first_id + n, "conversation_id": conversation_id, "customer_id": customer_id,
            "inbox_id": inboxes[INBOX_OF[channel]], "channel": channel,
            "direction": "in" if inbound else "out",
            "kind": "call" if channel == "voice" else "message",
            "author_agent_id": None if inbound else agents[0],
            "author_identity_id": customer_id if inbound else None,
            "text": rng.choice(TEXTS), "provider_id": f"b{first_id + n}",
            "status": "received" if inbound else "delivered",
            "occurred_at": at, "created_at": at, "updated_at": at,
        })
    status = rng.choices(["open", "pending", "resolved"], [3, 2, 5])[0] if latest else "resolved"
    team = teams[conversation_id % len(teams)]
    conv = {
        "id": conversation_id, "customer_id": customer_id, "status": status, "team_id": team,
        "assignee_id": agents[0] if team == teams[0] and rng.random() < 0.5 else None,
        "priority": rng.choice([0, 1, 1, 1, 2, 3]),
        "subject": f"Question {conversation_id}", "channels": json.dumps(channels),
        "last_inbound_channel": rows[-2]["channel"], "last_inbound_inbox_id": rows[-2]["inbox_id"],
        "first_inbound_at": rows[0]["occurred_at"], "last_inbound_at": rows[-2]["occurred_at"],
        "first_response_at": rows[1]["occurred_at"], "last_response_at": rows[-1]["occurred_at"],
        "resolved_at": rows[-1]["occurred_at"] if status == "resolved" else None,
        "last_activity_at": min(rows[-1]["occurred_at"], now),
        "created_at": started, "updated_at": rows[-1]["occurred_at"],
    }
    return conv, rows


def copy(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """COPY rows into the model's table; columns not given get the field's default, so
    a column added later with a default does not break the generator."""
    fields = list(model._meta.concrete_fields)
    columns = [f.column for f in fields]
    sql = f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as writer:
        for values in _rows(fields, rows):
            writer.write_row(values)


def _rows(
    fields: list[models.Field[Any, Any]], rows: Iterable[dict[str, Any]]
) -> Iterator[list[Any]]:
    static: dict[str, Any] = {}
    dynamic = {f.column for f in fields if callable(getattr(f, "default", None))}
    for field in fields:
        if field.column not in dynamic:
            static[field.column] = _db_value(field.get_default())
    for row in rows:
        out = []
        for field in fields:
            if field.column in row:
                out.append(_db_value(row[field.column]))
            elif field.column in dynamic:
                out.append(_db_value(field.get_default()))
            else:
                out.append(static[field.column])
        yield out


def _db_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def _move_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
