"""Settings → Inboxes: one list, and a form per inbox kind (consoles.inbox_forms) that
saves through conversations.actions.inbox and then shows the URLs to give the provider,
the snippet to paste (a chat widget, with a live preview of its look) and a button that
sends a test event through the inbox (consoles.inbox_test_events)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consoles.access import admin_page
from consoles.contrast import AA_NORMAL, white_text_contrast
from consoles.inbox_forms import ChatInboxForm, InboxForm, chat_defaults, form_class_for
from consoles.inbox_test_events import describe_test_event, has_test_event, send_test_event
from conversations.actions.inbox import (
    InvalidInboxConfig,
    do_create_inbox,
    do_rotate_inbox_token,
    do_update_inbox,
)
from conversations.channels import (
    UnknownChannel,
    channels_of_inbox_kind,
    embed_code,
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
        form.add_config_error(str(exc))
        return None


def _test_result_key(inbox: Inbox) -> str:
    return f"inbox-test:{inbox.pk}"


def _preview(form: InboxForm) -> dict[str, Any] | None:
    """What the chat widget preview first shows (the page's script keeps it up to date
    as the admin types)."""
    if not isinstance(form, ChatInboxForm):
        return None
    shown = ("color", "position", "launcher_text", "greeting", "reply_time")
    value: dict[str, Any] = {name: str(form[name].value() or "") for name in shown}
    value["contrast"] = white_text_contrast(value["color"])
    value["aa"] = AA_NORMAL
    value["name"] = str(form["name"].value() or "") or "Your chat"
    value["defaults"] = chat_defaults()
    return value


def _form_page(request: HttpRequest, form: InboxForm, kind: str, inbox: Inbox | None,
               status: int = 200) -> HttpResponse:
    test_result = request.session.pop(_test_result_key(inbox), None) if inbox else None
    return render(request, "consoles/inbox_form.html", {
        "section": "inboxes", "form": form, "inbox": inbox, "kind": kind,
        "kind_label": _kind_label(kind),
        "channels": channels_of_inbox_kind(kind),
        "urls": webhook_urls(inbox) if inbox is not None else [],
        "embed_code": embed_code(inbox) if inbox is not None else "",
        "preview": _preview(form),
        "can_test": has_test_event(kind), "test_description": describe_test_event(kind),
        "test_result": test_result,
    }, status=status)


def _saved_message(request: HttpRequest, inbox: Inbox, text: str) -> None:
    messages.success(request, text)
    contrast = white_text_contrast(str((inbox.config or {}).get("color", "")))
    if issubclass(form_class_for(inbox.kind), ChatInboxForm) and contrast is not None and (
        contrast < AA_NORMAL
    ):
        messages.warning(request, f"White text on {inbox.config['color']} has a contrast of "
                         f"{contrast:.2f}:1, below the {AA_NORMAL}:1 WCAG AA asks for: "
                         "visitors may not read the launcher and header. A darker colour "
                         "fixes it.")


@admin_page
def inbox_new(request: HttpRequest, kind: str) -> HttpResponse:
    _kind_label(kind)
    form_class = form_class_for(kind)
    if request.method == "POST":
        form = form_class(request.POST)
        inbox = _save(request, form, kind, None)
        if inbox is not None:
            _saved_message(request, inbox, f"“{inbox.name}” is set up. Give the provider "
                           "the addresses below.")
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
            _saved_message(request, saved, f"“{saved.name}” is saved.")
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


@admin_page
@require_POST
def inbox_identity_secret(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """A new identity secret for a chat widget, shown this once."""
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    if not issubclass(form_class_for(inbox.kind), ChatInboxForm):
        raise Http404("Only a chat widget has an identity secret.")
    secret = secrets.token_urlsafe(32)
    do_update_inbox(inbox, by=request.user,  # type: ignore[arg-type]
                    changes={"secrets": {**(inbox.secrets or {}), "identity_secret": secret}})
    messages.warning(request, f"New identity secret, shown this once: {secret} — put it in "
                     "your site's server settings; hashes made with the old one no longer "
                     "identify anyone.")
    return redirect("settings-inbox", inbox_id=inbox.pk)


@admin_page
@require_POST
def inbox_test_event(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Send a test event through the inbox; its page shows what happened."""
    inbox = get_object_or_404(Inbox.objects.select_related("team"), pk=inbox_id)
    user = request.user
    assert isinstance(user, User)
    outcome = send_test_event(inbox, by=user)
    request.session[_test_result_key(inbox)] = outcome.as_dict()
    return redirect(f"{reverse('settings-inbox', args=[inbox.pk])}#test-event")
