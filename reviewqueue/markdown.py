"""Markdown written by leads (queue guidelines), rendered for reviewers' pages, made safe.

Two steps, each doing what it is good at: markdown-it-py parses CommonMark with raw HTML turned
off (so `<script>` stays text), then nh3 (the Rust `ammonia` sanitiser) keeps only the tags and
attributes listed here and only http(s)/mailto links. The sanitiser is the guarantee: whatever the
parser lets through — a `javascript:` link, an attribute smuggled in a link title — nh3 drops it.
No inline style survives either, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Sanitised HTML for `text` (Markdown). Links open as links, with rel="noopener noreferrer
    nofollow" (nh3 sets it); images are not kept (they would load from anywhere)."""
    html = _PARSER.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
