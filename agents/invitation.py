"""The invitation email: a set-password link made with Django's password-reset token
(`default_token_generator`) on the `password_reset_confirm` page, absolute on
PUBLIC_URL. Sent by agents.tasks.send_invitation_task."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agents.models import Agent, AgentState

SUBJECT = "You are invited to omnidesk"


def set_password_link(user: User) -> str:
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    return f"{settings.PUBLIC_URL}{path}"


def send_invitation(user_id: int) -> str:
    """Mail the invitation if the user is still an active, invited agent."""
    agent = Agent.objects.select_related("user").filter(user_id=user_id).first()
    if agent is None or agent.state != AgentState.INVITED or not agent.user.email:
        return "skipped"
    user = agent.user
    body = render_to_string("agents/invitation_email.txt", {
        "user": user,
        "link": set_password_link(user),
        "sign_in": f"{settings.PUBLIC_URL}{reverse('login')}",
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    })
    send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return "sent"
