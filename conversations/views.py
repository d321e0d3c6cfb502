"""Downloads of stored files, each behind the conversation's permission check, and
the one exception: a signed, expiring public link for a provider (conversations.links)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from conversations.access import NotAgent, visible_interactions
from conversations.links import LinkInvalid, attachment_id_from_link
from conversations.models import Attachment


def _harmless(response: FileResponse) -> FileResponse:
    """Whatever the file holds, the browser neither sniffs nor runs it."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        interactions = visible_interactions(request.user)
    except NotAgent:
        raise Http404 from None
    attachment = Attachment.objects.filter(pk=attachment_id, interaction__in=interactions).first()
    if attachment is None or not attachment.file:
        raise Http404("No such attachment.")
    inline = attachment.content_type.startswith("image/") and request.GET.get("download") != "1"
    return _harmless(FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    ))


@require_safe
def attachment_public(request: HttpRequest, token: str) -> FileResponse:
    """No sign-in: the signed link is the permission. Served with its own content type
    (a provider such as Twilio reads the media type from it) as a download."""
    try:
        attachment_id = attachment_id_from_link(token)
    except LinkInvalid:
        raise Http404("No such attachment.") from None
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        raise Http404("No such attachment.")
    response = _harmless(FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    ))
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def raw_download(request: HttpRequest, interaction_id: int) -> FileResponse:
    try:
        interaction = visible_interactions(request.user).filter(pk=interaction_id).first()
    except NotAgent:
        raise Http404 from None
    if interaction is None or not interaction.raw_file:
        raise Http404("No raw message stored.")
    return FileResponse(
        interaction.raw_file.open("rb"),
        as_attachment=True,
        filename=(interaction.raw_file.name or "raw").rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )
