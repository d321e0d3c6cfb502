"""What the read layer rests on: the domain never imports the API layer, the indexes
its queries need exist, and the used-channel list names reply channels too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Direction, Interaction, InteractionKind
from tests.factories import inbound

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("agents", "conversations", "customers", "realtime", "routing")
API = ("api", "rest_framework", "drf_spectacular")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_domain_never_imports_the_api_layer():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for app in DOMAIN
        for path in (ROOT / app).rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in API
    )
    assert offenders == []


@pytest.mark.django_db
def test_the_list_indexes_exist_and_redundant_prefixes_are_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('conversations_conversation', 'conversations_interaction')"
        )
        indexes = dict(cursor.fetchall())
    for name in ("conv_activity", "conv_response_due", "conv_waiting_since",
                 "conv_waiting_channel", "ix_timeline", "ix_customer_timeline"):
        assert name in indexes
    assert "USING gin (channels jsonb_path_ops)" in indexes["conv_channels_gin"]
    assert "USING gin (tags jsonb_path_ops)" in indexes["conv_tags_gin"]
    # Searched on every list filter and new email thread: no pending list to scan
    # (migration 0008).
    for name in ("conv_channels_gin", "conv_tags_gin", "conv_participants_gin"):
        assert "WITH (fastupdate=off)" in indexes[name], indexes[name]
    single_column = {
        definition.split("(")[-1].rstrip(")")
        for definition in indexes.values()
        if definition.count(",") == 0 and "UNIQUE" not in definition
    }
    # Each is the first column of a composite index already.
    assert not single_column & {"customer_id", "team_id", "assignee_id", "conversation_id",
                                "last_activity_at"}


@pytest.mark.django_db
def test_old_conversations_get_their_reply_channels_in_order_of_first_use(twilio_inbox, lead):
    migration = __import__("conversations.migrations.0003_used_channels",
                           fromlist=["add_reply_channels"])
    conversation = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100",
                                             "hi", provider_id="SM-old")).conversation
    for channel in ("whatsapp", "api", "whatsapp", "sms"):
        Interaction.objects.create(
            conversation=conversation, customer_id=conversation.customer_id, channel=channel,
            direction=Direction.OUTBOUND, kind=InteractionKind.MESSAGE, text="reply",
        )
    Interaction.objects.create(  # a note is no channel
        conversation=conversation, customer_id=conversation.customer_id, channel="internal",
        direction=Direction.INTERNAL, kind=InteractionKind.NOTE, text="psst",
    )
    before = Conversation.objects.get(pk=conversation.pk)
    migration.add_reply_channels(apps, None)
    after = Conversation.objects.get(pk=conversation.pk)
    assert after.channels == ["sms", "whatsapp", "api"]
    assert after.updated_at == before.updated_at
