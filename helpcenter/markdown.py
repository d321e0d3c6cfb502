"""Articles are Markdown (CommonMark and tables), rendered by markdown-it-py with raw HTML
off, and the output sanitized again by nh3: an admin's article never carries a script."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = {
    "a", "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
              "td": {"align"}}


def render_markdown(text: str) -> str:
    # The page's title is its one h1: a "# Heading" in the body becomes an h2.
    html = _md.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https",
                     "mailto"}, link_rel="noopener noreferrer")


def plain_text(html: str) -> str:
    return nh3.clean(html, tags=set()).strip()
