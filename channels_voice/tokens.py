"""Access tokens for the Twilio Voice JavaScript SDK in an agent's browser."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from agents.access import team_ids_of
from agents.models import Agent
from channels_voice import conf
from channels_voice.config import voice_config
from channels_voice.ringing import client_identity
from conversations.models import Inbox
from twilio_common.inbox import TWILIO_INBOX, account_sid_of


@dataclass(frozen=True)
class VoiceCredentials:
    account_sid: str
    api_key_sid: str
    api_key_secret: str
    twiml_app_sid: str


def _of(inbox: Inbox | None) -> VoiceCredentials:
    config = voice_config(inbox) if inbox is not None else None
    account_sid = account_sid_of(inbox)
    secret = (inbox.secrets.get("api_key_secret") if inbox else "") or conf.api_key_secret()
    return VoiceCredentials(
        account_sid=str(account_sid or ""),
        api_key_sid=(config.api_key_sid if config else "") or conf.api_key_sid(),
        api_key_secret=str(secret or ""),
        twiml_app_sid=(config.twiml_app_sid if config else "") or conf.twiml_app_sid(),
    )


def credentials_for(agent: Agent) -> VoiceCredentials | None:
    """From the Twilio inbox of one of the agent's teams (else any), falling back to the
    TWILIO_* settings; None when no API key is configured anywhere."""
    inboxes = Inbox.objects.filter(kind=TWILIO_INBOX, is_active=True).order_by("id")
    inbox = inboxes.filter(team_id__in=team_ids_of(agent)).first() or inboxes.first()
    creds = _of(inbox)
    if not (creds.account_sid and creds.api_key_sid and creds.api_key_secret):
        return None
    return creds


def access_token(agent: Agent, creds: VoiceCredentials) -> tuple[str, str, int]:
    """(jwt, identity, ttl) for this agent: incoming calls to their identity, and calls
    out through the TwiML App."""
    identity = client_identity(agent.user)
    ttl = conf.token_ttl_seconds()
    token = AccessToken(creds.account_sid, creds.api_key_sid, creds.api_key_secret,
                        identity=identity, ttl=ttl)
    token.add_grant(VoiceGrant(outgoing_application_sid=creds.twiml_app_sid or None,
                               incoming_allow=True))
    return token.to_jwt(), identity, ttl
