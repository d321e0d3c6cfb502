"""What every workspace view shares: agents only, JSON answers for the page's script,
the newest realtime event id (where the socket resumes from)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse

from agents.access import agent_for
from realtime.models import RealtimeEvent

View = Callable[..., HttpResponse]


def agent_page(view: View) -> View:
    """Signed in (else to the sign-in page) and an agent (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if agent_for(request.user) is None:
            return HttpResponse("Only helpdesk agents use the workspace.", status=403,
                                content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return wrapped


def refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def done(**data: Any) -> JsonResponse:
    return JsonResponse({"ok": True, **data})


def realtime_since() -> int:
    """The page is current up to this event: the socket resumes from it (one query)."""
    last = RealtimeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return int(last or 0)


def me(request: HttpRequest) -> User:
    """The signed-in agent (agent_page has checked)."""
    return cast(User, request.user)
