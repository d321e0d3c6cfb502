"""HTML that reaches an agent's browser: sanitized here, once, before it is stored; made
ready for display (inline images resolved, remote images blocked) when it is shown."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from urllib.parse import unquote

import nh3

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"title", "align", "dir", "lang"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign", "scope"},
    "font": {"color"},
    "ol": {"start", "type"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


def sanitize_html(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# An <img> tag of sanitized HTML (attributes double-quoted; ">" may occur inside them)
# and its src attribute.
_IMG_TAG = re.compile(r'<img\b(?:[^>"\']|"[^"]*"|\'[^\']*\')*>', re.IGNORECASE)
_SRC = re.compile(r'(\ssrc=)"([^"]*)"', re.IGNORECASE)
# What browsers ignore in a URL: ASCII tabs and newlines anywhere, C0 controls and spaces
# around it ("h\ttps://x" and " //x" both load x).
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
# Images that load nothing from elsewhere: a cid: reference (resolved or not) or a path on
# this server ("/attachments/5/", but not "//host/" or "/\\host/", which browsers treat as
# another host).
_LOCAL_SRC = re.compile(r"^(?:cid:|/(?![/\\]))", re.IGNORECASE)


def _is_local(src: str) -> bool:
    url = _URL_NOISE.sub("", html_lib.unescape(src)).strip(_C0_AND_SPACE)
    return bool(_LOCAL_SRC.match(url))


def block_remote_images(html: str) -> str:
    """Remote images track the reader (a pixel tells the sender the mail was opened, from
    where and when); they load only when an agent asks. The stored HTML keeps them: a
    blocked image keeps its address in `data-blocked-src`. Only sanitized HTML."""

    def block(tag: re.Match[str]) -> str:
        def swap(src: re.Match[str]) -> str:
            if _is_local(src.group(2)):
                return src.group(0)
            return f'{src.group(1)}"" data-blocked-src="{src.group(2)}"'

        return _SRC.sub(swap, tag.group(0), count=1)

    return _IMG_TAG.sub(block, html)


_CID_SRC = re.compile(r'(\ssrc=)"cid:([^"]*)"', re.IGNORECASE)


def _cid_key(content_id: str) -> str:
    return unquote(html_lib.unescape(content_id)).strip().strip("<>").lower()


def resolve_inline_images(html: str, urls_by_content_id: Mapping[str, str]) -> str:
    """Point `src="cid:<Content-ID>"` (an inline image of an email) at the attachment's
    URL; a cid: with no stored attachment is left as is (it loads nothing)."""
    urls = {_cid_key(cid): url for cid, url in urls_by_content_id.items()}
    if not urls or "cid:" not in html.lower():
        return html

    def replace(match: re.Match[str]) -> str:
        url = urls.get(_cid_key(match.group(2)))
        return match.group(0) if url is None else f'{match.group(1)}"{url}"'

    return _IMG_TAG.sub(lambda tag: _CID_SRC.sub(replace, tag.group(0), count=1), html)


def display_html(
    html: str, urls_by_content_id: Mapping[str, str], *, show_remote_images: bool = False
) -> str:
    """Stored (sanitized) HTML as an agent's browser shows it."""
    if not html:
        return html
    html = resolve_inline_images(html, urls_by_content_id)
    return html if show_remote_images else block_remote_images(html)


_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"[ \t]+")


def html_to_text(html: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", html)
    text = _TAG.sub("", text)
    text = html_lib.unescape(text)
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
