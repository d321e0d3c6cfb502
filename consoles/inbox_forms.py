"""The settings form of each inbox kind: plain fields in, the inbox's fields, config and
secrets out. The kind's own validator (conversations.channels registry) still has the
last word when the action saves; these forms only give each key a labelled field.

Secrets are write-only: a secret field is never filled from what is stored, and a blank
one keeps the stored value. Config keys a form does not show are kept as they are (a
Twilio number's voice menu, say, stays whatever Django admin or the API set).

A kind with no form of its own here (one a new channel app adds) gets the common fields.
This module names kinds by their strings; the chat form reads the widget's defaults
from channels_chat.widget when it runs (a blank text field removes the key, so the
widget's default applies, and the form shows that default).
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
    # Groups of fields under a heading, after the common ones: (heading, field names).
    sections: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    # The kind's validator names a config key first in what it refuses: the key (or
    # the start of the message) -> the field that shows the refusal.
    config_error_fields: ClassVar[dict[str, str]] = {}

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

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields as the page shows them: the common ones (and any no section
        names) without a heading, then each section."""
        in_sections = {name for _, names in self.sections for name in names}
        groups = [("", [self[name] for name in self.fields if name not in in_sections])]
        groups += [(heading, [self[name] for name in names if name in self.fields])
                   for heading, names in self.sections]
        return groups

    def add_config_error(self, message: str) -> None:
        """What the kind's validator refused, under the field it concerns (else above
        the form)."""
        for start, field in self.config_error_fields.items():
            if message.startswith(start) and field in self.fields:
                self.add_error(field, message)
                return
        self.add_error(None, message)

    # What the subclasses change.
    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {}

    def config_changes(self) -> dict[str, Any]:
        """The config keys the form sets; None removes a key (its default applies)."""
        return {}

    def secret_changes(self, secrets: dict[str, Any]) -> dict[str, Any]:
        return secrets

    # What the action receives.
    def inbox_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        old_config = self.inbox.config if self.inbox is not None else {}
        old_secrets = self.inbox.secrets if self.inbox is not None else {}
        secrets = dict(old_secrets or {})
        for field, key in self.secret_fields.items():
            if data.get(field):
                secrets[key] = data[field]
        config = {**(old_config or {}), **self.config_changes()}
        return {
            "name": data["name"], "slug": data["slug"], "address": data["address"],
            "team": data["team"], "is_active": data["is_active"],
            "config": {key: value for key, value in config.items() if value is not None},
            "secrets": self.secret_changes(secrets),
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
    config_error_fields = {"account_sid": "account_sid",
                           "messaging_service_sid": "messaging_service_sid",
                           "capabilities": "capabilities", "unknown capabilities": "capabilities",
                           "whatsapp_sender": "whatsapp_sender"}

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
        # None ticked: the key goes, and with it any list stored before (all of them).
        changes["capabilities"] = list(data["capabilities"]) or None
        return changes


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


CHAT_LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
PRECHAT = (("name", "the name"), ("email", "the email address"), ("phone", "the phone number"))
PRECHAT_CHOICES = [("", "Not asked"), ("optional", "Asked, optional"),
                   ("required", "Asked, required")]
CHAT_TEXTS = ("greeting", "launcher_text", "offline_message", "reply_time")


def chat_defaults() -> dict[str, Any]:
    """What a chat widget shows when its config leaves a key out."""
    from channels_chat.widget import DEFAULTS

    return DEFAULTS


def _chat_text(label: str, hint: str, *, preview: str = "", rows: int = 0) -> forms.CharField:
    attrs = {"data-preview": preview} if preview else {}
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    return forms.CharField(required=False, label=label, help_text=f"{hint} Empty: the default.",
                           widget=widget, max_length=500)


class ChatInboxForm(InboxForm):
    kind = "chat"
    secret_fields = {"identity_secret": "identity_secret"}
    address_label = "Website"
    address_hint = "The site the chat widget runs on, e.g. https://shop.example.com."
    sections = (
        ("Appearance", ("color", "position", "launcher_text", "greeting", "language")),
        ("When nobody is online", ("reply_time", "offline_message")),
        ("Pre-chat form", tuple(f"prechat_{name}" for name, _ in PRECHAT)),
        ("Security", ("allowed_origins", "identity_secret", "forget_identity_secret")),
    )
    config_error_fields = {"color": "color", "position": "position",
                           "allowed_origins": "allowed_origins", "not an origin":
                           "allowed_origins", **{name: name for name in CHAT_TEXTS}}

    color = forms.CharField(label="Colour", max_length=20,
                            help_text="Of the launcher, the header and the visitor's "
                            "messages, as #rrggbb. Their text is white.",
                            widget=forms.TextInput(attrs={"data-preview": "color",
                                                          "spellcheck": "false"}))
    position = forms.ChoiceField(label="Position",
                                 choices=[("right", "Bottom right"), ("left", "Bottom left")],
                                 widget=forms.Select(attrs={"data-preview": "position"}))
    launcher_text = _chat_text("Launcher text", "On the closed widget's button.",
                               preview="launcher_text")
    greeting = _chat_text("Greeting", "The first message a visitor sees.", preview="greeting")
    language = forms.ChoiceField(label="Language", choices=CHAT_LANGUAGES,
                                 help_text="Of the widget's own words (buttons, hints).")
    reply_time = _chat_text("Reply time", "“We usually reply …”, shown when nobody is "
                            "online.", preview="reply_time")
    offline_message = _chat_text("Offline message", "Above the offline form.", rows=2)
    prechat_name, prechat_email, prechat_phone = (
        forms.ChoiceField(label=f"Ask for {what}", choices=PRECHAT_CHOICES, required=False)
        for _, what in PRECHAT
    )
    allowed_origins = forms.CharField(
        required=False, label="Sites allowed to embed it",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="One per line, e.g. https://shop.example.com; empty: any site.")
    identity_secret = _secret_field(
        "Identity secret", "Your site signs its signed-in users' ids with it (HMAC-SHA256), "
        "so the widget knows who they are. Empty: visitors stay anonymous.")
    forget_identity_secret = forms.BooleanField(
        required=False, label="Forget the identity secret",
        help_text="Visitors are no longer identified by your site.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = (self.inbox.config or {}) if self.inbox is not None else {}
        if self.inbox is None and not self.is_bound:
            self.initial.update(self.initial_from_config({}))
        language = stored.get("language")
        if language and language not in dict(CHAT_LANGUAGES):
            field = self.fields["language"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*CHAT_LANGUAGES, (language, language)]
        if not (self.inbox is not None and (self.inbox.secrets or {}).get("identity_secret")):
            del self.fields["forget_identity_secret"]  # nothing stored to forget

    def clean_color(self) -> str:
        return str(self.cleaned_data.get("color") or "").strip() or chat_defaults()["color"]

    def clean_allowed_origins(self) -> list[str]:
        text = str(self.cleaned_data.get("allowed_origins") or "")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def initial_from_config(self, config: dict[str, Any]) -> dict[str, Any]:
        prechat = {f.get("name"): f for f in config.get("prechat") or [] if isinstance(f, dict)}
        shown = {**chat_defaults(), **config}
        return {
            **{name: shown[name] for name in ("color", "position", "language", *CHAT_TEXTS)},
            "allowed_origins": "\n".join(config.get("allowed_origins") or []),
            **{f"prechat_{name}": ("required" if prechat[name].get("required") else "optional")
               for name, _ in PRECHAT if name in prechat},
        }

    def config_changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "color": data["color"], "position": data["position"],
            "language": data["language"], "allowed_origins": data["allowed_origins"],
            **{name: data[name] if data[name].strip() else None for name in CHAT_TEXTS},
            "prechat": [{"name": name, "required": data[f"prechat_{name}"] == "required"}
                        for name, _ in PRECHAT if data[f"prechat_{name}"]],
        }

    def secret_changes(self, secrets: dict[str, Any]) -> dict[str, Any]:
        if self.cleaned_data.get("forget_identity_secret") and not self.cleaned_data.get(
            "identity_secret"
        ):
            secrets.pop("identity_secret", None)
        return secrets


FORMS: dict[str, type[InboxForm]] = {
    form.kind: form for form in (TwilioInboxForm, EmailInboxForm, ApiInboxForm, ChatInboxForm)
}


def form_class_for(kind: str) -> type[InboxForm]:
    return FORMS.get(kind, InboxForm)
