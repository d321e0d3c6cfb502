"""The widget's HTTP side: its script, its settings, visitor uploads, and a demo host page.

Every endpoint a host page calls answers CORS for the widget's allowed origins only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from channels_chat.actions import do_visitor_message
from channels_chat.availability import agents_online
from channels_chat.conf import CHAT_INBOX, attachment_max_bytes, attachment_types, max_chars
from channels_chat.consumers import CLIENT_ID
from channels_chat.tokens import read_visitor_token
from channels_chat.widget import origin_allowed, widget_for_key, widget_key, widget_settings
from conversations.inbound import InboundAttachment
from conversations.models import Inbox

WIDGET_JS = settings.BASE_DIR / "static" / "chat" / "widget.js"


@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    """The one script the snippet loads (any site may load it; the widget key decides)."""
    response = HttpResponse(WIDGET_JS.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _cors(request: HttpRequest, inbox: Inbox, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def widget_view(
    handler: Callable[[HttpRequest, Inbox], HttpResponse],
) -> Callable[..., HttpResponse]:
    """The widget of `key`, active, called from an allowed origin; answers preflights."""

    @csrf_exempt  # no cookies: the visitor token authenticates
    def view(request: HttpRequest, key: str) -> HttpResponse:
        inbox = widget_for_key(key)
        if inbox is None:
            raise Http404("No such widget.")
        origin = request.headers.get("Origin")
        if origin and not origin_allowed(inbox, origin):
            return _error("This site may not use this chat widget.", 403)
        if not origin and not origin_allowed(inbox, None):
            return _error("This site may not use this chat widget.", 403)
        if request.method == "OPTIONS":
            return _cors(request, inbox, HttpResponse(status=204))
        return _cors(request, inbox, handler(request, inbox))

    return view


def _settings(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    if request.method != "GET":
        return _error("GET only.", 405)
    return JsonResponse({"settings": widget_settings(inbox), "online": agents_online(inbox)})


def _upload(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """POST multipart `file` (and `client_id`, optional `text`) with `Authorization:
    Bearer <visitor token>`: a message with the attachment, recorded once per client id."""
    if request.method != "POST":
        return _error("POST only.", 405)
    auth = request.headers.get("Authorization", "")
    visitor_id = read_visitor_token(auth.removeprefix("Bearer ").strip(), inbox.pk)
    if visitor_id is None:
        return _error("A valid visitor token is needed.", 401)
    upload = request.FILES.get("file")
    client_id = request.POST.get("client_id", "")
    text = request.POST.get("text", "")
    if upload is None or not CLIENT_ID.fullmatch(client_id):
        return _error("Send a file and a client_id.", 400)
    if len(text) > max_chars():
        return _error(f"Messages are at most {max_chars()} characters.", 400)
    limit = attachment_max_bytes()
    if upload.size is None or upload.size > limit:
        return _error(f"Files are at most {limit // (1024 * 1024)} MB.", 413)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in attachment_types():
        return _error("Images, PDF and text files only.", 415)
    name = get_valid_filename(upload.name or "file")[:200] or "file"
    result = do_visitor_message(
        inbox, visitor_id, client_id=client_id, text=text,
        attachments=[InboundAttachment(name=name, content_type=content_type,
                                       content=upload.read())],
    )
    return JsonResponse(
        {"type": "ack", "client_id": client_id, "id": result.interaction.pk,
         "created": result.created},
        status=201 if result.created else 200,
    )


def _articles(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """GET ?q=…&locale=…: help articles matching what the visitor is typing."""
    from helpcenter.queries import locale_of, search_articles

    locale = locale_of(request.GET.get("locale") or widget_settings(inbox)["language"])
    found = search_articles(request.GET.get("q", ""), locale, limit=3)
    return JsonResponse({"results": [
        {"slug": a.slug, "title": a.title, "description": a.description,
         "url": settings.PUBLIC_URL + a.get_absolute_url()} for a in found
    ]})


widget_settings_view = widget_view(_settings)
articles_view = widget_view(_articles)
upload_view = widget_view(_upload)


@require_http_methods(["GET"])
def demo_page(request: HttpRequest) -> HttpResponse:
    """A host page with the demo widget, as a customer's website would embed it."""
    inbox = Inbox.objects.filter(kind=CHAT_INBOX, is_active=True).order_by("id").first()
    context: dict[str, Any] = {
        "widget_key": widget_key(inbox) if inbox is not None else "",
        "public_url": settings.PUBLIC_URL,
    }
    return render(request, "channels_chat/demo.html", context)
