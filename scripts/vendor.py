#!/usr/bin/env python3
"""Re-fetch the vendored front-end libraries at exactly their pinned versions.

    python3 scripts/vendor.py        (or: make vendor)

Each package comes from the npm registry through `npm pack` (npm checks the tarball
against the registry's integrity; we check it again against the pin below), and only
the files the pages use are copied, with the licence. Lucide's icons become one SVG
sprite of the icons listed in ICONS. axe-core goes to tests/browser/vendor/: it is for
the browser tests and is never collected as a static file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's sha512, as `npm view NAME@VERSION dist.integrity` prints it
    files: dict[str, str]  # path in the package -> path in the repository


HTMX = Package(
    "htmx.org", "2.0.11",
    "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
    {"dist/htmx.min.js": "static/vendor/htmx/htmx.min.js", "LICENSE": "static/vendor/htmx/LICENSE"},
)
LUCIDE = Package(
    "lucide-static", "1.62.0",
    "sha512-WBZA/m2PvkFpMGHDtsBck5P2A9G4ehLlYu4GwwICcmEm1BvYVgj00lCDxKRWLlbMlOibLaiwdQ88G5pHkSWgwA==",
    {"LICENSE": "static/vendor/lucide-static/LICENSE"},
)
AXE = Package(
    "axe-core", "4.14.1",
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    {
        "axe.min.js": "tests/browser/vendor/axe-core/axe.min.js",
        "LICENSE": "tests/browser/vendor/axe-core/LICENSE",
        "LICENSE-3RD-PARTY.txt": "tests/browser/vendor/axe-core/LICENSE-3RD-PARTY.txt",
    },
)
CHARTJS = Package(
    "chart.js", "4.6.1",
    "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==",
    {"dist/chart.umd.min.js": "static/vendor/chartjs/chart.umd.min.js",
     "LICENSE.md": "static/vendor/chartjs/LICENSE.md"},
)
PACKAGES = [HTMX, LUCIDE, AXE, CHARTJS]

# The Lucide icons the pages use; the sprite's symbol ids are these names with "i-".
# ui/icons.py maps channels and SLA states onto them; add a name here, then re-run.
ICONS = sorted({
    # channels (one each, the same everywhere)
    "mail", "messages-square", "smartphone", "message-circle", "phone", "webhook", "sticky-note",
    # SLA states
    "circle-check", "clock-alert", "octagon-alert", "circle-pause", "check-check",
    # sections
    "inbox", "layers", "chart-column", "settings", "shield", "palette", "layout-dashboard",
    # shell and actions
    "search", "bell", "menu", "x", "chevron-down", "chevron-left", "chevron-right", "arrow-left",
    "panel-right", "more-horizontal", "log-out", "sun", "moon", "sun-moon", "keyboard",
    "paperclip", "send", "reply", "tag", "filter", "user", "users", "user-check", "user-plus",
    "info", "circle-alert", "triangle-alert", "refresh-cw", "wifi-off", "external-link", "eye",
    "lock", "plus", "trash-2", "pencil", "phone-incoming", "phone-outgoing", "phone-missed",
    "arrow-left-right", "git-merge", "clock", "star", "download", "image", "play", "mic",
    "at-sign", "hourglass", "loader-circle", "check", "circle-help", "sliders-horizontal",
    "file-text", "zap", "mail-open",
})
SPRITE = "static/icons/sprite.svg"
# Lucide draws with strokes; <use> clones a symbol with its attributes, so they go on each.
STROKE = (' fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"'
          ' stroke-linejoin="round"')


def fetch(package: Package, workdir: Path) -> Path:
    """`npm pack` the pinned version into workdir, check its sha512, unpack it."""
    spec = f"{package.name}@{package.version}"
    # npm from PATH, with our own pinned arguments: no outside input reaches the command.
    out = subprocess.run(  # noqa: S603
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],  # noqa: S607
        check=True, capture_output=True, text=True, cwd=workdir,
    )
    tarball = workdir / json.loads(out.stdout)[0]["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != package.integrity:
        raise SystemExit(f"{spec}: integrity mismatch (got sha512-{digest})")
    target = workdir / package.name
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def symbol(name: str, svg: str) -> str:
    """One Lucide SVG file as a <symbol>: its shapes, without the outer element."""
    match = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.DOTALL)
    if match is None:
        raise SystemExit(f"lucide icon {name}: no <svg> element")
    shapes = " ".join(line.strip() for line in match.group(1).strip().splitlines())
    return f'<symbol id="i-{name}" viewBox="0 0 24 24"{STROKE}>{shapes}</symbol>'


def build_sprite(lucide: Path) -> str:
    symbols = [symbol(name, (lucide / "icons" / f"{name}.svg").read_text()) for name in ICONS]
    return (
        f"<!-- Lucide icons, lucide-static {LUCIDE.version}, ISC licence: "
        "static/vendor/lucide-static/LICENSE. Built by scripts/vendor.py. -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        + "\n".join(symbols) + "\n</svg>\n"
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="omnidesk-vendor-") as tmp:
        for package in PACKAGES:
            unpacked = fetch(package, Path(tmp))
            for source, destination in package.files.items():
                path = ROOT / destination
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(unpacked / source, path)
                print(f"{package.name}@{package.version}: {destination}")
            if package is LUCIDE:
                (ROOT / SPRITE).parent.mkdir(parents=True, exist_ok=True)
                (ROOT / SPRITE).write_text(build_sprite(unpacked))
                print(f"{package.name}@{package.version}: {SPRITE} ({len(ICONS)} icons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
