"""Admin: "Email inboxes", with the webhook URLs to configure at the ESP and an IMAP
connection check."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from channels_email.conf import EMAIL_INBOX
from channels_email.forms import EmailInboxForm
from channels_email.models import EmailInbox


def provider_webhook_urls() -> list[tuple[str, str, str]]:
    """(ESP, inbound URL, tracking URL) for every ESP anymail supports."""
    from anymail import urls as anymail_urls

    found: dict[str, dict[str, str]] = {}
    for pattern in anymail_urls.urlpatterns:
        name = getattr(pattern, "name", "") or ""
        for kind in ("inbound", "tracking"):
            suffix = f"_{kind}_webhook"
            if name.endswith(suffix):
                esp = name[: -len(suffix)]
                try:
                    url = settings.PUBLIC_URL + reverse(f"anymail:{name}")
                except NoReverseMatch:
                    url = f"{settings.PUBLIC_URL}/anymail/{esp}/{kind}/"
                found.setdefault(esp, {})[kind] = url
    found.setdefault("mandrill", {})["inbound"] = f"{settings.PUBLIC_URL}/anymail/mandrill/"
    found["mandrill"]["tracking"] = f"{settings.PUBLIC_URL}/anymail/mandrill/"
    return [
        (esp, urls.get("inbound", "—"), urls.get("tracking", "—"))
        for esp, urls in sorted(found.items())
        if esp != "sendinblue"  # an old alias of brevo
    ]


@admin.register(EmailInbox)
class EmailInboxAdmin(admin.ModelAdmin):
    form = EmailInboxForm
    list_display = ["name", "address", "slug", "team", "is_active", "polls_imap"]
    list_filter = ["team", "is_active"]
    search_fields = ["name", "slug", "address"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["webhook_urls"]
    actions = ["test_imap_connection"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "address", "aliases", "team", "is_active"]}),
        ("Sending", {"fields": ["from_name", "signature", "email_backend"]}),
        ("Acknowledgement", {"fields": ["acknowledgement_subject", "acknowledgement_body"]}),
        (
            "IMAP mailbox",
            {
                "fields": [
                    "imap_host",
                    "imap_port",
                    "imap_security",
                    "imap_user",
                    "imap_password",
                    "imap_folder",
                    "imap_processed",
                    "imap_move_to",
                    "imap_poll_interval",
                ]
            },
        ),
        ("Provider set-up", {"fields": ["webhook_urls"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmailInbox]:
        return super().get_queryset(request).filter(kind=EMAIL_INBOX)

    @admin.display(boolean=True, description="IMAP")
    def polls_imap(self, inbox: EmailInbox) -> bool:
        return bool((inbox.config or {}).get("imap"))

    @admin.display(description="Webhook URLs to configure at your email provider")
    def webhook_urls(self, inbox: EmailInbox | None = None) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            provider_webhook_urls(),
        )
        return format_html(
            "<p>Point the provider's inbound (and tracking) webhook at these URLs, with the "
            "ANYMAIL_WEBHOOK_SECRET as basic auth: <code>https://user:password@host/…</code>. "
            "Mail to <code>reply+…@{}</code> must reach one of them too.</p>"
            "<table><tr><th>Provider</th><th>Inbound</th><th>Tracking</th></tr>{}</table>"
            "<p>Or pipe mail from your MTA into "
            "<code>python manage.py ingest_email --inbox {}</code>.</p>",
            settings.OMNIDESK_INBOUND_EMAIL_DOMAIN,
            rows,
            getattr(inbox, "slug", "") or "SLUG",
        )

    @admin.action(description="Test IMAP connection")
    def test_imap_connection(self, request: HttpRequest, queryset: QuerySet[EmailInbox]) -> None:
        try:
            from channels_email.imap.client import test_connection
        except ImportError:
            self.message_user(request, "IMAP support is not available.", messages.ERROR)
            return
        for inbox in queryset:
            try:
                result = test_connection(inbox)
            except Exception as exc:  # shown to the admin, whatever it is
                self.message_user(request, f"{inbox.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{inbox.name}: {result}", messages.INFO)
