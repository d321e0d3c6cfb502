"""The living style guide: for the people who shape pages, showing every state."""

from __future__ import annotations

from django.test import Client

from ui.icons import SLA_STATES, channel_styles


def get(user, path: str):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_only_leads_admins_and_staff_open_the_style_guide(agent_a, lead, admin_user, outsider):
    assert get(None, "/styleguide/")["Location"] == "/accounts/login/?next=/styleguide/"
    assert get(agent_a, "/styleguide/").status_code == 403
    assert get(outsider, "/styleguide/").status_code == 403
    assert get(lead, "/styleguide/").status_code == 200
    assert get(admin_user, "/styleguide/").status_code == 200
    outsider.is_staff = True
    outsider.save()
    assert get(outsider, "/styleguide/").status_code == 200
    assert get(agent_a, "/styleguide/workspace/").status_code == 403
    assert get(lead, "/styleguide/workspace/").status_code == 200


def test_the_style_guide_shows_every_sla_state_and_channel_in_both_themes(lead):
    html = get(lead, "/styleguide/").content.decode()
    for style in SLA_STATES.values():
        assert f'<span class="sla-label">{style.label}</span>' in html
    for style in channel_styles().values():
        assert f'aria-label="{style.label}"' in html
    assert '<div class="sg-theme" data-theme="light">' in html
    assert '<div class="sg-theme" data-theme="dark">' in html
    assert "No conversations waiting" in html


def test_the_style_guide_link_is_in_the_menu_of_those_who_may_open_it(agent_a, lead):
    assert 'href="/styleguide/"' in get(lead, "/").content.decode()
    assert 'href="/styleguide/"' not in get(agent_a, "/").content.decode()
