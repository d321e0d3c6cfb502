"""WCAG 2 contrast of a chat widget's colour against the white text drawn on it."""

from __future__ import annotations

import re

HEX = re.compile(r"#([0-9a-fA-F]{6})")
# WCAG 2.1 AA for normal text (the widget's 13-15 px text is not "large").
AA_NORMAL = 4.5


def _luminance(color: str) -> float:
    """Relative luminance of #rrggbb (WCAG 2.1's definition)."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def white_text_contrast(color: str) -> float | None:
    """The contrast of white on `color`, rounded down to 2 decimals (so 4.499 never
    reads as passing); None when `color` is no #rrggbb."""
    if not isinstance(color, str) or not HEX.fullmatch(color.strip()):
        return None
    return int(contrast_ratio(color.strip(), "#ffffff") * 100) / 100
