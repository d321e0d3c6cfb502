"""Admin of the API tokens: DRF's own lists every user's token in clear and names a
token by its key on every page. Here a token is named by its first characters and its
user; the key is shown once, in the message after an admin makes it. Tokens are
made and revoked here, never viewed (rest_framework.authtoken's admin is registered
before this app's, and replaced)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy


def _hint(token: TokenProxy) -> str:
    return f"{token.key[:4]}… (hidden)"


class _Shown:
    """What the delete page names: the user's id (the admin's URLs use it) and a hint."""

    def __init__(self, token: TokenProxy) -> None:
        self.pk = token.user_id
        self.text = f"{_hint(token)} of {token.user}"

    def __str__(self) -> str:
        return self.text


class HiddenTokenAdmin(TokenAdmin):
    list_display = ("key_hint", "user", "created", "revoke")
    list_display_links = None

    @admin.display(description="Key")
    def key_hint(self, token: TokenProxy) -> str:
        return _hint(token)

    @admin.display(description="")
    def revoke(self, token: TokenProxy) -> SafeString:
        url = reverse("admin:authtoken_tokenproxy_delete", args=[quote(token.user_id)])
        return format_html('<a href="{}">Revoke</a>', url)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        _, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return [f"Token {_hint(t)} of {t.user}" for t in objs], counts, perms_needed, protected

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context.update(object=_Shown(context["object"]))
        return super().render_delete_form(request, context)


admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, HiddenTokenAdmin)
