"""Every text/background pair of the design tokens passes WCAG AA, in both themes.

The colours are read from static/css/omnidesk.css itself (each token is
light-dark(#light, #dark)), so a changed token is checked as it ships."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "omnidesk.css"
TOKEN = re.compile(r"(--color-[a-z0-9-]+):\s*light-dark\((#[0-9a-fA-F]{6}),\s*(#[0-9a-fA-F]{6})\)")

TEXT = 4.5  # WCAG AA, normal text
UI = 3.0  # WCAG AA, non-text contrast (control borders, focus ring, status dots)

# (foreground, background, minimum): every pairing the components use.
PAIRS: list[tuple[str, str, float]] = [
    *[(fg, bg, TEXT) for fg in ("--color-text", "--color-text-muted")
      for bg in ("--color-bg", "--color-surface", "--color-surface-2", "--color-surface-3",
                 "--color-accent-soft", "--color-note-bg")],
    *[("--color-accent-text", bg, TEXT)
      for bg in ("--color-bg", "--color-surface", "--color-surface-2", "--color-accent-soft")],
    ("--color-on-accent", "--color-accent", TEXT),
    ("--color-on-accent", "--color-accent-hover", TEXT),
    ("--color-text", "--color-heat-2", TEXT),  # the report heatmap's steps
    ("--color-on-accent", "--color-heat-3", TEXT),
    ("--color-on-danger", "--color-danger", TEXT),
    ("--color-on-danger", "--color-danger-hover", TEXT),
    ("--color-surface", "--color-text", TEXT),  # toasts are inverted
    *[(f"--color-{kind}-text", bg, TEXT)
      for kind in ("ok", "warn", "danger", "info")
      for bg in (f"--color-{kind}-soft", "--color-surface", "--color-bg")],
    ("--color-note-text", "--color-note-bg", TEXT),
    *[(f"--color-avatar-{n}-text", f"--color-avatar-{n}-bg", TEXT) for n in range(6)],
    ("--color-border-strong", "--color-surface", UI),
    ("--color-border-strong", "--color-bg", UI),
    ("--color-focus", "--color-surface", UI),
    ("--color-focus", "--color-bg", UI),
    ("--color-accent", "--color-accent-soft", UI),  # the selected row's bar
    ("--color-accent", "--color-surface", UI),
    *[(f"--color-{p}", "--color-surface", UI) for p in ("online", "away", "offline")],
]


def tokens() -> dict[str, tuple[str, str]]:
    return {name: (light, dark) for name, light, dark in TOKEN.findall(CSS.read_text())}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert contrast("#123456", "#123456") == 1.0


def test_the_stylesheet_declares_every_token_the_pairs_name():
    declared = tokens()
    named = {name for fg, bg, _ in PAIRS for name in (fg, bg)}
    assert sorted(named - declared.keys()) == []


def test_every_foreground_colour_token_is_checked():
    """A new *-text / on-* colour cannot ship without a pair here."""
    foregrounds = {n for n in tokens() if n.endswith("-text") or "-on-" in n}
    checked = {fg for fg, _, _ in PAIRS}
    assert sorted(foregrounds - checked) == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS, ids=[f"{f} on {b}" for f, b, _ in PAIRS])
def test_pair_passes_wcag_aa(fg, bg, minimum, theme):
    declared = tokens()
    index = 0 if theme == "light" else 1
    ratio = contrast(declared[fg][index], declared[bg][index])
    assert ratio >= minimum, f"{fg} on {bg} ({theme}): {ratio:.2f} < {minimum}"
