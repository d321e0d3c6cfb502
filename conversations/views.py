"""Downloads of stored files, each behind the conversation's permission check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from conversations.access import NotAgent, visible_interactions
from conversations.models import Attachment


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
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
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
