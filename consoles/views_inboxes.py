"""Settings → Inboxes: one list, and a form per inbox kind (consoles.inbox_forms) that
saves through conversations.actions.inbox and then shows the URLs to give the provider."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from consoles.access import admin_page
from consoles.inbox_forms import InboxForm, form_class_for
from conversations.actions.inbox import (
    InvalidInboxConfig,
    do_create_inbox,
    do_rotate_inbox_token,
    do_update_inbox,
)
from conversations.channels import (
    UnknownChannel,
    channels_of_inbox_kind,
    inbox_kind_spec,
    inbox_kind_specs,
    webhook_urls,
)
from conversations.models import Inbox


@admin_page
def inbox_list(request: HttpRequest) -> HttpResponse:
    inboxes = list(Inbox.objects.select_related("team").order_by("-is_active", "name"))
    return render(request, "consoles/inboxes.html", {
        "section": "inboxes", "inboxes": inboxes, "kinds": inbox_kind_specs(),
    })


def _kind_label(kind: str) -> str:
    try:
        return inbox_kind_spec(kind).label
    except UnknownChannel:
        raise Http404("No such inbox kind.") from None


def _save(request: HttpRequest, form: InboxForm, kind: str, inbox: Inbox | None) -> Inbox | None:
    """The saved inbox, or None with the refusal on the form."""
    if not form.is_valid():
        return None
    try:
        if inbox is None:
            return do_create_inbox(by=request.user, kind=kind, **form.inbox_fields())  # type: ignore[arg-type]
        return do_update_inbox(inbox, by=request.user, changes=form.inbox_fields())  # type: ignore[arg-type]
    except InvalidInboxConfig as exc:
        form.add_error(None, str(exc))
        return None


def _form_page(request: HttpRequest, form: InboxForm, kind: str, inbox: Inbox | None,
               status: int = 200) -> HttpResponse:
    return render(request, "consoles/inbox_form.html", {
        "section": "inboxes", "form": form, "inbox": inbox, "kind": kind,
        "kind_label": _kind_label(kind),
        "channels": channels_of_inbox_kind(kind),
        "urls": webhook_urls(inbox) if inbox is not None else [],
    }, status=status)


@admin_page
def inbox_new(request: HttpRequest, kind: str) -> HttpResponse:
    _kind_label(kind)
    form_class = form_class_for(kind)
    if request.method == "POST":
        form = form_class(request.POST)
        inbox = _save(request, form, kind, None)
        if inbox is not None:
            messages.success(request, f"“{inbox.name}” is set up. Give the provider the "
                             "addresses below.")
            return redirect("settings-inbox", inbox_id=inbox.pk)
        return _form_page(request, form, kind, None, status=400)
    return _form_page(request, form_class(), kind, None)


@admin_page
def inbox_edit(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = get_object_or_404(Inbox.objects.select_related("team"), pk=inbox_id)
    form_class = form_class_for(inbox.kind)
    if request.method == "POST":
        form = form_class(request.POST, inbox=inbox)
        saved = _save(request, form, inbox.kind, inbox)
        if saved is not None:
            messages.success(request, f"“{saved.name}” is saved.")
            return redirect("settings-inbox", inbox_id=saved.pk)
        return _form_page(request, form, inbox.kind, inbox, status=400)
    return _form_page(request, form_class(inbox=inbox), inbox.kind, inbox)


@admin_page
@require_POST
def inbox_rotate_token(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    token = do_rotate_inbox_token(inbox, by=request.user)  # type: ignore[arg-type]
    messages.warning(request, f"New inbox token, shown this once: {token} — the old one no "
                     "longer works.")
    return redirect("settings-inbox", inbox_id=inbox.pk)
