"""HTML mail bodies: plain text for reading and search, sanitised HTML for display.

Both functions accept any string, however hostile or broken, and never raise.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import nh3

# Elements whose content is never shown to a reader.
_INVISIBLE = frozenset({"script", "style", "head", "title", "template", "noscript", "object"})
# Elements that end a line of text.
_LINE_BREAKING = frozenset(
    {
        "address",
        "article",
        "aside",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "section",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "center",
    }
)
# Elements that read as paragraphs: a blank line after them.
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"}
)
# Links whose target is no use to a reader of the plain text.
_HIDDEN_LINK_SCHEMES = ("javascript:", "vbscript:", "data:", "cid:", "#")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.invisible_depth = 0
        self.pre_depth = 0
        self.quote_depth = 0
        self.links: list[tuple[str, int]] = []  # (href, len(current) when the link opened)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self.invisible_depth += 1
            return
        if tag == "br":
            self._end_line(keep_empty=True)
        elif tag in _PARAGRAPHS:
            self._end_line()
            self._blank_line()
        elif tag in _LINE_BREAKING:
            self._end_line()
        if tag == "li":
            self.current.append("- ")
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href.strip(), len(self.current)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>: no content, so the start tag is all there is.
        if tag in _INVISIBLE:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self.invisible_depth = max(0, self.invisible_depth - 1)
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            self._append_link_target(href, start)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag in _PARAGRAPHS:
            self._end_line()
            self._blank_line()
        elif tag in _LINE_BREAKING:
            self._end_line()
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.invisible_depth:
            return
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self._end_line(keep_empty=True)
                self.current.append(line)
        else:
            self.current.append(data)

    def _append_link_target(self, href: str, start: int) -> None:
        label = " ".join("".join(self.current[start:]).split())
        if not href or href.lower().startswith(_HIDDEN_LINK_SCHEMES):
            return
        shown = unquote(href[len("mailto:") :]) if href.lower().startswith("mailto:") else href
        if label and shown.rstrip("/") != label.rstrip("/"):
            self.current.append(f" ({shown})")
        elif not label:
            self.current.append(shown)

    def _end_line(self, *, keep_empty: bool = False) -> None:
        raw = "".join(self.current)
        self.current = []
        line = raw.rstrip() if self.pre_depth else " ".join(raw.split())
        if not line and not keep_empty:
            return
        self.lines.append("> " * self.quote_depth + line if line else "")

    def _blank_line(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self._end_line()
        joined = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body.

    Block elements become line breaks, list items "- ", blockquotes "> " (so the
    quote trimmer can find the history), and links "text (url)" when the url
    says something the text does not.
    """
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:
        pass  # HTMLParser is lenient; whatever it read before failing is kept
    return extractor.text()


_SAFE_STYLE_PROPERTIES = frozenset(
    {
        "background-color",
        "border",
        "border-bottom",
        "border-collapse",
        "border-color",
        "border-left",
        "border-right",
        "border-style",
        "border-top",
        "border-width",
        "color",
        "font",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "height",
        "line-height",
        "list-style-type",
        "margin",
        "margin-bottom",
        "margin-left",
        "margin-right",
        "margin-top",
        "padding",
        "padding-bottom",
        "padding-left",
        "padding-right",
        "padding-top",
        "text-align",
        "text-decoration",
        "vertical-align",
        "white-space",
        "width",
    }
)

_ALLOWED_ATTRIBUTES = {
    # Mail HTML is still laid out with presentational attributes from the 1990s.
    "*": {"style", "title", "dir", "lang", "align", "valign", "width", "height"},
    "a": {"href", "name"},
    "img": {"src", "alt"},
    "table": {"border", "cellpadding", "cellspacing", "bgcolor", "summary"},
    "td": {"colspan", "rowspan", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "bgcolor", "nowrap", "scope"},
    "tr": {"bgcolor"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"cite", "type"},
}

# Cleaning is pure: one Cleaner, built once, serves every mail.
_CLEANER = nh3.Cleaner(
    tags=nh3.ALLOWED_TAGS | {"font", "center", "u", "s", "strike"},
    attributes=_ALLOWED_ATTRIBUTES,
    # cid: keeps inline images addressable; the view rewrites them to attachment
    # urls. No data: (a data:text/html link is a script), no javascript:.
    url_schemes={"http", "https", "mailto", "tel", "cid"},
    # Without a list, `style` could place a fake login box over the whole page.
    filter_style_properties=_SAFE_STYLE_PROPERTIES,
    link_rel="noopener noreferrer nofollow",
)


def sanitize_html(html: str) -> str:
    """The HTML with scripts, event handlers, forms and dangerous urls removed.

    `cid:` image sources are kept as they are. Remote images are kept too:
    whether to load them is the viewer's decision, not the parser's.
    """
    try:
        return _CLEANER.clean(html)
    except Exception:
        return ""
