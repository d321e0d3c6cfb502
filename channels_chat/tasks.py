from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from channels_chat.queries import customer_of_visitor, visitor_history
from customers.models import Identity, IdentityKind


@shared_task(acks_late=True)
def send_transcript_task(visitor_id: str, email: str) -> str:
    """The visitor's chat, as plain text, to the address on their customer record (the
    visitor asked from the widget). Sent again only if the worker dies mid-send."""
    customer_id = customer_of_visitor(visitor_id)
    if customer_id is None or not Identity.objects.filter(
        customer_id=customer_id, kind=IdentityKind.EMAIL, value=email
    ).exists():
        return "skipped"
    lines = []
    for message in visitor_history(visitor_id):
        who = "You" if message["direction"] == "in" else (message["author_name"] or "Support")
        lines.append(f"{who} ({message['occurred_at'][:16].replace('T', ' ')} UTC):\n"
                     f"{message['text']}\n")
    send_mail("Your chat transcript", "\n".join(lines) or "(no messages)",
              settings.DEFAULT_FROM_EMAIL, [email])
    return "sent"
