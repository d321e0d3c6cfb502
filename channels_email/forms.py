"""The admin form of an email inbox: plain fields in, Inbox.config and secrets out."""

from __future__ import annotations

from typing import Any

from django import forms

from channels_email.config import (
    IMAP_PASSWORD_SECRET,
    IMAP_PROCESSED,
    IMAP_SECURITY,
    validate_email_config,
)
from channels_email.models import EmailInbox

# Form field -> key of config["imap"].
_IMAP_FIELDS = {
    "imap_host": "host",
    "imap_port": "port",
    "imap_security": "security",
    "imap_user": "user",
    "imap_folder": "folder",
    "imap_processed": "processed",
    "imap_move_to": "move_to",
    "imap_poll_interval": "poll_interval",
}


class EmailInboxForm(forms.ModelForm):
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Further addresses that deliver into this inbox, one per line.",
    )
    from_name = forms.CharField(required=False, help_text="Sender name; default: the inbox name.")
    signature = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    email_backend = forms.CharField(
        required=False,
        help_text="Sending backend (e.g. anymail.backends.postmark.EmailBackend); "
        "empty: the EMAIL_BACKEND setting.",
    )
    acknowledgement_subject = forms.CharField(
        required=False, help_text='Default "Re: <their subject>".'
    )
    acknowledgement_body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent once to a customer who starts a new conversation; empty: none. "
        "Placeholders: {customer_name} {subject} {conversation_id} {inbox_name}.",
    )
    imap_host = forms.CharField(required=False, label="IMAP host", help_text="Empty: no polling.")
    imap_port = forms.IntegerField(required=False, label="IMAP port", min_value=1, max_value=65535)
    imap_security = forms.ChoiceField(
        required=False, label="IMAP security", choices=[(s, s) for s in IMAP_SECURITY]
    )
    imap_user = forms.CharField(required=False, label="IMAP user")
    imap_password = forms.CharField(
        required=False,
        label="IMAP password",
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored password.",
    )
    imap_folder = forms.CharField(required=False, label="IMAP folder", initial="INBOX")
    imap_processed = forms.ChoiceField(
        required=False,
        label="Processed mail",
        choices=[
            (p, {"flag": "flag as seen", "move": "move to folder"}[p]) for p in IMAP_PROCESSED
        ],
    )
    imap_move_to = forms.CharField(required=False, label="Move processed mail to")
    imap_poll_interval = forms.IntegerField(
        required=False,
        label="Poll interval (s)",
        min_value=5,
        help_text="Used when the server offers no IDLE.",
    )

    class Meta:
        model = EmailInbox
        fields = ["name", "slug", "address", "team", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].required = True
        config = self.instance.config or {}
        acknowledgement = config.get("acknowledgement") or {}
        self.initial.update(
            {
                "aliases": "\n".join(config.get("aliases") or []),
                "from_name": config.get("from_name", ""),
                "signature": config.get("signature", ""),
                "email_backend": config.get("email_backend", ""),
                "acknowledgement_subject": acknowledgement.get("subject", ""),
                "acknowledgement_body": acknowledgement.get("body", ""),
            }
        )
        imap = config.get("imap") or {}
        for field, key in _IMAP_FIELDS.items():
            if key in imap:
                self.initial[field] = imap[key]

    def clean_address(self) -> str:
        return str(self.cleaned_data["address"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        config = {**(self.instance.config or {}), **self._config_from(cleaned)}
        try:
            self.instance.config = validate_email_config(config)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.instance.kind = "email"
        return cleaned

    def _config_from(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        imap: dict[str, Any] = {}
        if cleaned.get("imap_host"):
            imap = {
                key: cleaned.get(field)
                for field, key in _IMAP_FIELDS.items()
                if cleaned.get(field) not in (None, "")
            }
        return {
            "aliases": cleaned.get("aliases", ""),
            "from_name": cleaned.get("from_name", ""),
            "signature": cleaned.get("signature", ""),
            "email_backend": cleaned.get("email_backend", ""),
            "acknowledgement": {
                "subject": cleaned.get("acknowledgement_subject", ""),
                "body": cleaned.get("acknowledgement_body", ""),
            },
            "imap": imap,
        }

    def save(self, commit: bool = True) -> EmailInbox:
        password = self.cleaned_data.get("imap_password")
        if password:
            self.instance.secrets = {
                **(self.instance.secrets or {}),
                IMAP_PASSWORD_SECRET: password,
            }
        return super().save(commit=commit)
