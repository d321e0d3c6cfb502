"""Where channel apps plug into the core: inbox kinds and their config validation.

The core never imports a channel app. Each channel app registers here from its
AppConfig.ready(), so the core can validate an inbox's config without knowing the kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ConfigValidator = Callable[[dict[str, Any]], dict[str, Any]]

_config_validators: dict[str, ConfigValidator] = {}


def register_inbox_kind(kind: str, validate_config: ConfigValidator) -> None:
    _config_validators[kind] = validate_config


def validate_inbox_config(kind: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """The cleaned config for an inbox of `kind`; ValueError says what is wrong."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ValueError("config must be a JSON object")
    validator = _config_validators.get(kind)
    return validator(dict(config)) if validator else dict(config)
