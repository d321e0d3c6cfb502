"""Inviting agents: a new user with no password yet and their Agent profile, in one
transaction, and an invitation email (a job: sent by a worker after the commit) whose
set-password link is Django's own password-reset token on `password_reset_confirm`.

An invited agent (AgentState.INVITED) has no usable password and has never signed in;
the link works until they choose a password (the token covers the password hash) or it
expires (PASSWORD_RESET_TIMEOUT). "Resend" sends a fresh link while they are still invited.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction

from agents.models import Agent, AgentState, Role, Team
from jobs.outbox import enqueue_job

logger = logging.getLogger(__name__)

USERNAME_MAX = 150  # django.contrib.auth's User.username
NAME_MAX = 150  # first_name and last_name each


class InviteError(ValueError):
    """An invitation that cannot be sent; the message says why, in the product's words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalized_email(email: str) -> str:
    """Trimmed, with the domain lower-cased (the local part is the mailbox's to interpret)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def user_with_email(email: str) -> User | None:
    """The user who has this address, whatever its case (the oldest if several do)."""
    return (User.objects.filter(email__iexact=normalized_email(email))
            .select_related("agent").order_by("pk").first())


def _username_base(email: str) -> str:
    local = email.rpartition("@")[0].lower()
    base = re.sub(r"[^\w.@+-]+", "", local)[: USERNAME_MAX - 4]
    return base or "agent"


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = " ".join(name.split()).partition(" ")
    return first[:NAME_MAX], last[:NAME_MAX]


def _create_user(email: str, name: str) -> User:
    """A user named after the email's local part ("sam", else "sam-2", "sam-3", ...),
    with an unusable password. The username's unique constraint decides a race."""
    base = _username_base(email)
    first, last = _split_name(name)
    taken = set(
        User.objects.filter(username__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
        .values_list("username", flat=True)
    )
    n = 1
    while True:
        username = base if n == 1 else f"{base}-{n}"
        n += 1
        if username in taken:
            continue
        user = User(username=username, email=email, first_name=first, last_name=last)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            continue  # taken meanwhile by another invitation
        return user


def _lock_email(email: str) -> None:
    """Serialize invitations of one address until commit: the check that it is free and
    the insert are one step (auth_user has no unique constraint on email)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"invite:{email.lower()}"])


def _queue_invitation(user: User) -> None:
    from agents.tasks import send_invitation_task

    enqueue_job(send_invitation_task, user.pk)


def do_invite_agent(
    *, by: User | None, email: str, name: str, role: Role | str, teams: Iterable[Team] = ()
) -> Agent:
    """Create the invited agent and queue their invitation email (sent after commit)."""
    email = normalized_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise InviteError("Enter a valid email address.", field="email") from None
    if not name.strip():
        raise InviteError("Enter the agent's name.", field="name")
    role = Role(role)
    with transaction.atomic():
        _lock_email(email)
        if user_with_email(email) is not None:
            raise InviteError(f"Someone with the address {email} is already a user.",
                              field="email")
        user = _create_user(email, name)
        agent = Agent.objects.create(user=user, role=role)
        team_ids = sorted({team.pk for team in teams})
        agent.teams.set(team_ids)
        _queue_invitation(user)
        logger.info(
            "agent %s invited: username %s, role=%s, teams=%s (by %s)",
            user.pk, user.get_username(), role, team_ids,
            by.get_username() if by is not None else "omnidesk",
        )
    return agent


def do_resend_invitation(agent: Agent, *, by: User | None) -> None:
    """A fresh set-password link for an agent who has not chosen a password yet."""
    with transaction.atomic():
        locked = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
        if locked.state == AgentState.DEACTIVATED:
            raise InviteError("This agent is deactivated; reactivate them first.")
        if locked.state != AgentState.INVITED:
            raise InviteError("This agent has already chosen a password; they can use "
                              "“Forgot your password?” on the sign-in page.")
        _queue_invitation(locked.user)
        logger.info("agent %s invitation sent again (by %s)", locked.user_id,
                    by.get_username() if by is not None else "omnidesk")
