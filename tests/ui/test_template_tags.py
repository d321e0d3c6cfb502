"""The design system's template tags render accessible, escaped markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from ui.templatetags.ui import (
    avatar,
    avatar_hue,
    channel_icon,
    icon,
    initials,
    relative_time,
    reltime,
    sla_chip,
)

SPRITE = "/static/icons/sprite.svg"


def test_an_icon_without_a_label_is_hidden_from_screen_readers():
    assert icon("mail") == (
        '<svg class="icon" aria-hidden="true" focusable="false">'
        f'<use href="{SPRITE}#i-mail"></use></svg>'
    )


def test_an_icon_with_a_label_is_a_named_image():
    assert icon("bell", label="Notifications", **{"class": "icon-lg"}) == (
        '<svg class="icon icon-lg" role="img" aria-label="Notifications" focusable="false">'
        f'<use href="{SPRITE}#i-bell"></use></svg>'
    )


def test_an_icon_missing_from_the_sprite_is_an_error_not_a_blank():
    with pytest.raises(TemplateSyntaxError, match="not in the sprite"):
        icon("unicorn")


@pytest.mark.parametrize(("channel", "symbol", "label"), [
    ("email", "mail", "Email"), ("chat", "messages-square", "Chat"), ("sms", "smartphone", "SMS"),
    ("whatsapp", "message-circle", "WhatsApp"), ("voice", "phone", "Voice"),
    ("api", "webhook", "API"), ("internal", "sticky-note", "Internal"),
    ("fax", "circle-help", "Other channel"),
])
def test_each_channel_has_one_icon_and_a_name(channel, symbol, label):
    html = channel_icon(channel)
    assert f"#i-{symbol}" in html
    assert f'aria-label="{label}"' in html
    assert f'class="channel-icon channel-{channel}"' in html


def test_the_waiting_channel_is_highlighted_and_says_so():
    html = channel_icon("sms", waiting=True)
    assert 'class="channel-icon is-waiting channel-sms"' in html
    assert 'aria-label="SMS, waiting for a reply"' in html


@pytest.mark.parametrize(("name", "letters"), [
    ("Sam Carter", "SC"), ("Mary Ann de la Cruz", "MC"), ("Cher", "CH"), ("  ", "?"),
    ("jean-luc picard", "JP"), ("李 小龍", "李小"),
])
def test_initials(name, letters):
    assert initials(name) == letters


def test_an_avatar_names_its_person_and_keeps_its_colour():
    html = avatar("Sam Carter", size="sm", presence="online")
    hue = avatar_hue("Sam Carter")
    assert html == (
        f'<span class="avatar avatar-sm" data-hue="{hue}" data-presence="online" role="img" '
        'aria-label="Sam Carter (online)" title="Sam Carter (online)">'
        '<span aria-hidden="true">SC</span></span>'
    )
    assert avatar_hue("Sam Carter") == hue


def test_an_avatar_for_nobody_says_unassigned(db):
    assert 'aria-label="Unassigned"' in avatar(None)
    assert "avatar-unassigned" in avatar(None)


def test_a_decorative_avatar_is_hidden(admin_user):
    html = avatar(admin_user, decorative=True)
    assert 'aria-hidden="true"' in html and "aria-label" not in html


def test_avatar_escapes_names():
    assert "<b>" not in avatar("<b>Eve</b> Hacker")


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=20), "now"), (timedelta(minutes=3), "3 min"), (timedelta(hours=5), "5 h"),
    (timedelta(days=2), "2 d"), (timedelta(days=40), "21 Oct"),
    (timedelta(days=400), "26 Oct 2025"),
    (-timedelta(minutes=25), "in 25 min"),
])
def test_relative_times_in_list_words(delta, text):
    assert relative_time(NOW - delta, now=NOW) == text


def test_reltime_shows_the_absolute_time_in_the_agents_zone_on_hover():
    moment = timezone.now() - timedelta(minutes=3)
    with timezone.override("Europe/Paris"):
        html = reltime(moment)
        local = timezone.localtime(moment)
    assert html.startswith(f'<time datetime="{moment.isoformat()}" title="')
    assert f'{local:%H:%M} CET"' in html or f'{local:%H:%M} CEST"' in html
    assert html.endswith(" data-reltime>3 min</time>")


@pytest.mark.parametrize(("state", "symbol", "label"), [
    ("ok", "circle-check", "On track"), ("at_risk", "clock-alert", "At risk"),
    ("at-risk", "clock-alert", "At risk"), ("breached", "octagon-alert", "Breached"),
    ("paused", "circle-pause", "Paused"), ("met", "check-check", "Met"),
])
def test_every_sla_state_has_an_icon_and_words(state, symbol, label):
    html = sla_chip(state)
    assert f"#i-{symbol}" in html
    assert f'<span class="sla-label">{label}</span>' in html
    assert 'class="sla sla-' in html


def test_the_sla_chip_counts_down_and_over():
    soon = timezone.now() + timedelta(minutes=4, seconds=30)
    late = timezone.now() - timedelta(minutes=37, seconds=5)
    assert '<span class="sla-time">4 min left</span>' in sla_chip("at_risk", due=soon)
    assert f'data-sla-due="{soon.isoformat()}"' in sla_chip("at_risk", due=soon)
    assert '<span class="sla-time">37 min over</span>' in sla_chip("breached", due=late)
    compact = sla_chip("at_risk", due=soon, compact=True)
    assert '<span class="sla-label visually-hidden">At risk</span>' in compact
    assert "sla-sep" not in compact


def test_an_unknown_sla_state_renders_nothing():
    assert sla_chip("") == "" and sla_chip(None) == "" and sla_chip("bogus") == ""


def test_the_sla_chip_partial_takes_an_optional_due_time():
    partial = '{% include "components/sla_chip.html" with state="paused" %}'
    html = Template(partial).render(Context())
    assert '<span class="sla-label">Paused</span>' in html


class _Form(forms.Form):
    email = forms.EmailField(help_text="Where replies go.")


def test_field_partial_ties_hint_and_error_to_the_input():
    form = _Form(data={"email": "nope"})
    assert not form.is_valid()
    html = Template('{% include "components/field.html" with field=form.email %}').render(
        Context({"form": form})
    )
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_hint id_email_error"' in html
    assert '<div class="field-error" id="id_email_error">' in html
    assert 'class="input"' in html
    assert '<label class="field-label" for="id_email">Email</label>' in html
