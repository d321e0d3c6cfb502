"""Sign-in and password reset by email, in the design system."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD


def test_sign_in_page_has_labelled_fields_and_the_reset_link(db):
    html = Client().get("/accounts/login/").content.decode()
    assert "<h1>Sign in</h1>" in html
    assert '<label class="field-label" for="id_username">Username</label>' in html
    assert '<label class="field-label" for="id_password">Password</label>' in html
    assert '<a class="text-sm" href="/accounts/password_reset/">Forgot password?</a>' in html
    assert "login-errors" not in html


def test_a_wrong_password_says_what_to_do_and_marks_the_fields(agent_a):
    response = Client().post("/accounts/login/", {"username": "agent_a", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="form-errors" id="login-errors">' in html
    assert 'class="alert alert-danger" role="alert"' in html
    assert html.count('aria-invalid="true" aria-describedby="login-errors"') == 2
    assert 'value="agent_a"' in html


def test_password_reset_by_email_end_to_end(agent_a):
    client = Client()
    page = client.get("/accounts/password_reset/").content.decode()
    assert "<h1>Reset your password</h1>" in page

    response = client.post("/accounts/password_reset/", {"email": "agent_a@example.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert "<h1>Check your email</h1>" in client.get(response["Location"]).content.decode()

    assert [m.to for m in mail.outbox] == [["agent_a@example.test"]]
    assert mail.outbox[0].subject == "Reset your omnidesk password"
    link = re.search(r"^(\S+/accounts/reset/\S+/)$", mail.outbox[0].body, re.M).group(1)
    assert link.startswith(f"{settings.PUBLIC_URL}/accounts/reset/")

    form_page = client.get(link.removeprefix(settings.PUBLIC_URL), follow=True)
    html = form_page.content.decode()
    assert "<h1>Choose a new password</h1>" in html
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": "a new long passphrase",
                                          "new_password2": "a new long passphrase"})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "<h1>Password changed</h1>" in client.get(done["Location"]).content.decode()
    assert Client().login(username="agent_a", password="a new long passphrase")
    assert not Client().login(username="agent_a", password=PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db):
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.test"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_mismatched_new_passwords_show_the_error_on_the_field(agent_a):
    client = Client()
    client.post("/accounts/password_reset/", {"email": "agent_a@example.test"})
    link = re.search(r"(/accounts/reset/\S+/)$", mail.outbox[0].body, re.M).group(1)
    url = client.get(link, follow=True).redirect_chain[-1][0]
    html = client.post(url, {"new_password1": "a new long passphrase",
                             "new_password2": "another one"}).content.decode()
    assert 'aria-invalid="true"' in html
    assert '<div class="field-error" id="id_new_password2_error">' in html
    assert User.objects.get(username="agent_a").check_password(PASSWORD)


def test_a_used_or_bad_reset_link_says_so(db):
    html = Client().get("/accounts/reset/MQ/bad-token/").content.decode()
    assert "<h1>This link no longer works</h1>" in html
    assert 'href="/accounts/password_reset/">Send a new link</a>' in html
