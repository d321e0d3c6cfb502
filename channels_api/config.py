"""The config of an inbox of kind "api"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_validate_url = URLValidator(schemes=["http", "https"])


def validate_api_inbox_config(config: dict[str, Any]) -> dict[str, Any]:
    """`outbound_url` (optional): where replies are POSTed; without it the inbox only
    takes messages in. ValueError says what is wrong."""
    url = config.get("outbound_url")
    if url is None or url == "":
        config.pop("outbound_url", None)
        return config
    if not isinstance(url, str):
        raise ValueError("outbound_url must be a string")
    url = url.strip()
    try:
        _validate_url(url)
    except ValidationError:
        raise ValueError(f"outbound_url must be an http:// or https:// URL, got {url!r}") from None
    config["outbound_url"] = url
    return config
