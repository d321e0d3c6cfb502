"""Where an agent's reply can go, read before anything is written: each channel the
customer can be reached on, with the address and inbox it would use, or why it cannot
be used. The composer shows this; do_send_reply runs the same checks again when the
reply is sent (things change between the two)."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.actions.reply import (
    ReplyError,
    _default_channel,
    _recipient,
    _reply_inbox,
)
from conversations.channels import channel_spec, channel_specs
from conversations.models import Conversation
from conversations.transports import TransportError, check_reply, has_transport

# A placeholder approved template: a check that passes with it says "only a template".
_PROBE_TEMPLATE = {"content_sid": "HX" + "0" * 32, "variables": {}}


@dataclass(frozen=True)
class ReplyOption:
    channel: str
    label: str
    address: str = ""  # who the reply goes to
    inbox_name: str = ""  # where it goes out from
    reason: str = ""  # why it cannot be used; empty when it can
    template_only: bool = False  # WhatsApp outside its window: an approved template still goes
    signature: str = ""  # what the inbox appends to the text

    @property
    def available(self) -> bool:
        return not self.reason or self.template_only


@dataclass(frozen=True)
class ReplyOptions:
    default: str  # the channel the composer starts on; "" when none can be used
    options: list[ReplyOption]

    @property
    def unavailable(self) -> list[ReplyOption]:
        """The channels that cannot take a free-text reply now, each with its reason."""
        return [o for o in self.options if o.reason]

    def get(self, channel: str) -> ReplyOption | None:
        return next((o for o in self.options if o.channel == channel), None)


def _considered(conversation: Conversation) -> list[str]:
    """Written channels worth offering, in the registry's order: those this conversation
    used, and those that can reach a customer by an identity of their own (a channel
    like the API, which answers only where the customer wrote, is offered once used).
    A used channel whose transport is missing is shown with the reason."""
    return [spec.kind for spec in channel_specs()
            if spec.written_fallback is None
            and (spec.kind in conversation.channels
                 or (spec.transport is not None and spec.identity_kind is not None))]


def _option(conversation: Conversation, channel: str) -> ReplyOption:
    label = channel_spec(channel).label
    if not has_transport(channel):
        return ReplyOption(channel, label, reason=f"{label} replies are not set up on this "
                                                  "install.")
    try:
        inbox = _reply_inbox(conversation, channel)
        recipient = _recipient(conversation, channel, inbox)
    except ReplyError as exc:
        return ReplyOption(channel, label, reason=str(exc))
    signature = str((inbox.config or {}).get("signature") or "")
    found = ReplyOption(channel, label, address=recipient.value, inbox_name=inbox.name,
                        signature=signature)
    try:
        check_reply(channel, conversation=conversation, inbox=inbox, recipient=recipient.value,
                    meta={})
    except TransportError as refused:
        if not refused.template_would_pass:
            return ReplyOption(channel, label, address=recipient.value, inbox_name=inbox.name,
                               reason=refused.message)
        try:
            check_reply(channel, conversation=conversation, inbox=inbox,
                        recipient=recipient.value, meta={"whatsapp_template": _PROBE_TEMPLATE})
        except TransportError:
            return ReplyOption(channel, label, address=recipient.value, inbox_name=inbox.name,
                               reason=refused.message)
        return ReplyOption(channel, label, address=recipient.value, inbox_name=inbox.name,
                           reason=refused.message, template_only=True)
    return found


def reply_options(conversation: Conversation) -> ReplyOptions:
    """Each written channel with where a reply would go or why it cannot (a few queries a
    channel, whatever the conversation's length)."""
    options = [_option(conversation, channel) for channel in _considered(conversation)]
    usable = [o.channel for o in options if o.available and not o.template_only]
    # The channel the customer last used (a call is answered by its written fallback).
    preferred = _default_channel(conversation)
    default = preferred if preferred in usable else (usable[0] if usable else "")
    return ReplyOptions(default, options)
