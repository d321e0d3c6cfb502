"""The settings form of each inbox kind: plain fields in, the inbox's fields, config and
secrets out. The kind's own validator (conversations.channels registry) still has the
last word when the action saves; these forms only give each key a labelled field.

Secrets are write-only: a secret field is never filled from what is stored, and a blank
one keeps the stored value. Config keys a form does not show are kept as they are (a
Twilio number's voice menu, say, stays whatever Django admin or the API set).

A kind with no form of its own here (one a new channel app adds) gets the common fields.
This module names kinds by their strings and imports no channel app, like the core.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.text import slugify

from agents.models import Team
from conversations.models import Inbox
from customers.identities import InvalidIdentity, normalize_phone
from twilio_common.inbox import CAPABILITIES, TWILIO_INBOX

KEEP_HINT = "Stored. Leave blank to keep it; it is never shown again."


class InboxForm(forms.Form):
    """The fields every inbox has."""

    kind: ClassVar[str] = ""
    # form field -> key of Inbox.secrets
    secret_fields: ClassVar[dict[str, str]] = {}
    address_label: ClassVar[str] = "Address"
    address_hint: ClassVar[str] = "The inbox's own address, if it has one."
    address_required: ClassVar[bool] = False

    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=100, required=False,
                           help_text="Used in URLs; empty: made from the name.")
    address = forms.CharField(max_length=255)
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="No team",
                                  help_text="New conversations start in this team's queue.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active",
                                   help_text="An inactive inbox takes nothing in.")

    def __init__(self, *args: Any, inbox: Inbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox = inbox
        address = self.fields["address"]
        address.label, address.help_text = self.address_label, self.address_hint
        address.required = self.address_required
        stored = inbox.secrets if inbox is not None else {}
        for field, key in self.secret_fields.items():
            if stored.get(key):
                self.fields[field].help_text = KEEP_HINT
        if inbox is not None and not self.is_bound:
            self.initial.update({
                "name": inbox.name, "slug": inbox.slug, "address": inbox.address,
                "team": inbox.team_id, "is_active": inbox.is_active,
                **self.initial_from_config(inbox.config or {}),
            })

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:100]
        if not slug:
            raise forms.ValidationError("Give the inbox a slug (letters, digits, hyphens).")
        taken = Inbox.objects.filter(slug=slug)
        if self.inbox is not None:
            taken = taken.exclude(pk=self.inbox.pk)
        if taken.exists():
            raise forms.ValidationError(f"Another inbox already uses the slug “{slug}”.")
        return str(slug)

    def clean_address(self) -> str:
        return str(self.cleaned_data.get("address") or "").strip()

    # What the subclasses change.
    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {}

    def config_changes(self) -> dict[str, Any]:
        return {}

    # What the action receives.
    def inbox_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        old_config = self.inbox.config if self.inbox is not None else {}
        old_secrets = self.inbox.secrets if self.inbox is not None else {}
        secrets = dict(old_secrets or {})
        for field, key in self.secret_fields.items():
            if data.get(field):
                secrets[key] = data[field]
        return {
            "name": data["name"], "slug": data["slug"], "address": data["address"],
            "team": data["team"], "is_active": data["is_active"],
            "config": {**(old_config or {}), **self.config_changes()},
            "secrets": secrets,
        }


def _secret_field(label: str, hint: str = "") -> forms.CharField:
    return forms.CharField(required=False, label=label, help_text=hint,
                           widget=forms.PasswordInput(render_value=False,
                                                      attrs={"autocomplete": "new-password"}))


class TwilioInboxForm(InboxForm):
    kind = TWILIO_INBOX
    secret_fields = {"auth_token": "auth_token"}
    address_label = "Phone number"
    address_hint = "The Twilio number in international form, e.g. +15551234567."
    address_required = True

    account_sid = forms.CharField(label="Account SID", required=False,
                                  help_text="AC followed by 32 characters; from the Twilio "
                                  "console. Empty: the server's TWILIO_ACCOUNT_SID.")
    auth_token = _secret_field("Auth token", "From the Twilio console, next to the Account "
                               "SID. Empty: the server's TWILIO_AUTH_TOKEN.")
    messaging_service_sid = forms.CharField(label="Messaging Service SID", required=False,
                                            help_text="MG…; only when the number sends "
                                            "through a Messaging Service.")
    capabilities = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(c, {"sms": "SMS", "mms": "MMS", "whatsapp": "WhatsApp",
                      "voice": "Voice"}.get(c, c)) for c in CAPABILITIES],
        help_text="None ticked: all of them.")
    whatsapp_sender = forms.CharField(label="WhatsApp sender", required=False,
                                      help_text="When WhatsApp uses another number than the "
                                      "one above.")
    voice_greeting = forms.CharField(label="Call greeting", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text="Read to every caller before the queue.")
    voice_voicemail = forms.BooleanField(label="Take voicemail when nobody answers",
                                         required=False)

    def clean_address(self) -> str:
        value = str(self.cleaned_data.get("address") or "")
        try:
            return normalize_phone(value)
        except InvalidIdentity:
            raise forms.ValidationError(
                "Write the number in international form, e.g. +15551234567.") from None

    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        voice = config.get("voice") or {}
        return {
            "account_sid": config.get("account_sid", ""),
            "messaging_service_sid": config.get("messaging_service_sid", ""),
            "capabilities": config.get("capabilities") or [],
            "whatsapp_sender": config.get("whatsapp_sender", ""),
            "voice_greeting": voice.get("greeting", ""),
            "voice_voicemail": bool(voice.get("voicemail", True)),  # voice's default
        }

    def config_changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        old_voice = (self.inbox.config or {}).get("voice") or {} if self.inbox else {}
        voice = {**old_voice, "voicemail": bool(data["voice_voicemail"])}
        voice.pop("greeting", None)  # empty: the voice app's default greeting
        if data["voice_greeting"].strip():
            voice["greeting"] = data["voice_greeting"].strip()
        changes: dict[str, Any] = {
            "account_sid": data["account_sid"].strip(),
            "messaging_service_sid": data["messaging_service_sid"].strip(),
            "whatsapp_sender": data["whatsapp_sender"].strip(),
            "voice": voice,
        }
        if data["capabilities"]:
            changes["capabilities"] = list(data["capabilities"])
        elif self.inbox is not None:
            changes["capabilities"] = None  # dropped below: all of them
        return changes

    def inbox_fields(self) -> dict[str, Any]:
        fields = super().inbox_fields()
        if fields["config"].get("capabilities") is None:
            fields["config"].pop("capabilities", None)
        return fields


class EmailInboxForm(InboxForm):
    kind = "email"
    # The key channels_email.config reads the IMAP password from.
    secret_fields = {"imap_password": "imap_password"}
    address_label = "Email address"
    address_hint = "Mail to this address lands in the inbox; replies are sent from it."
    address_required = True

    aliases = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Further addresses that deliver here, one per line.")
    from_name = forms.CharField(required=False, label="Sender name",
                                help_text="Empty: the inbox name.")
    signature = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Added under every reply.")
    acknowledgement_body = forms.CharField(
        required=False, label="Automatic answer", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent once to a customer who starts a new conversation; empty: none.")
    imap_host = forms.CharField(required=False, label="IMAP host",
                                help_text="Only to fetch mail from a mailbox; empty: mail "
                                "arrives by your email provider's webhook.")
    imap_user = forms.CharField(required=False, label="IMAP user")
    imap_password = _secret_field("IMAP password")

    def clean_address(self) -> str:
        value = str(self.cleaned_data.get("address") or "").strip().lower()
        forms.EmailField().clean(value)
        return value

    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        imap = config.get("imap") or {}
        return {
            "aliases": "\n".join(config.get("aliases") or []),
            "from_name": config.get("from_name", ""),
            "signature": config.get("signature", ""),
            "acknowledgement_body": (config.get("acknowledgement") or {}).get("body", ""),
            "imap_host": imap.get("host", ""),
            "imap_user": imap.get("user", ""),
        }

    def config_changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        old = (self.inbox.config or {}) if self.inbox is not None else {}
        acknowledgement = {**(old.get("acknowledgement") or {}),
                           "body": data["acknowledgement_body"]}
        imap: dict[str, Any] = {}
        if data["imap_host"].strip():
            imap = {**(old.get("imap") or {}), "host": data["imap_host"],
                    "user": data["imap_user"]}
        return {
            "aliases": data["aliases"], "from_name": data["from_name"],
            "signature": data["signature"], "acknowledgement": acknowledgement, "imap": imap,
        }


class ApiInboxForm(InboxForm):
    kind = "api"
    address_hint = "Optional: a name for the system that pushes messages in."

    outbound_url = forms.URLField(required=False, label="Reply URL", assume_scheme="https",
                                  help_text="Replies are POSTed here, signed with the inbox "
                                  "token; empty: the inbox only takes messages in.")

    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"outbound_url": config.get("outbound_url", "")}

    def config_changes(self) -> dict[str, Any]:
        return {"outbound_url": self.cleaned_data["outbound_url"]}


class ChatInboxForm(InboxForm):
    kind = "chat"
    address_label = "Website"
    address_hint = "The site the chat widget runs on, e.g. https://shop.example.com."


FORMS: dict[str, type[InboxForm]] = {
    form.kind: form for form in (TwilioInboxForm, EmailInboxForm, ApiInboxForm, ChatInboxForm)
}


def form_class_for(kind: str) -> type[InboxForm]:
    return FORMS.get(kind, InboxForm)
