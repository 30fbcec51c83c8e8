"""Plain-text and Markdown news articles: title, dateline, body and credit footer."""

import re

from index.articles import Article
from index.loaders.dates import iso_date
from index.loaders.doc_ids import checked_doc_id
from index.loaders.problems import Reading
from index.sentences import split_sentences

_FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")

DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z.'’\- ]{1,40}?(?:,\s*[A-Z][\w.'’ ]{1,30}?)?)?\s*"
    r"(?:\((?P<agency>[A-Za-z .]{1,30})\))?\s*(?:—|–|--|-)\s+"
)
# Web datelines name the place in ordinary case and the outlet without brackets:
# "New York CNN Business —", "Colombo, Sri Lanka CNN —", "Reuters —", "London (CNN)".
_OUTLETS = r"CNN(?: Business)?|AP|AFP|Reuters|Bloomberg|UPI"
WEB_DATELINE = re.compile(
    r"^\s*(?:(?P<place>[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3}(?:,\s*[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,2})?)\s+)?"
    rf"(?:\((?P<bracketed>{_OUTLETS})\)\s*(?:—|–|--)?|(?P<agency>{_OUTLETS})\s*(?:—|–|--))\s*"
)


def dateline_end(body: str) -> int:
    """Where the dateline opening `body` ends ("ATLANTA (AP) — ", "(CNN)"), 0 when it has none."""
    found = WEB_DATELINE.match(body) or DATELINE.match(body)
    return found.end() if found else 0


def parse_dateline(body: str) -> tuple[str | None, str | None]:
    """The place and the wire agency or outlet of a dateline opening `body`, if it has one."""
    web = WEB_DATELINE.match(body)
    if web:
        return web.group("place"), web.group("agency") or web.group("bracketed")
    wire = DATELINE.match(body)
    if not wire:
        return None, None
    return (wire.group("place").strip() if wire.group("place") else None), wire.group("agency")


_FOOTER_LINE = re.compile(
    r"^\s*(copyright\b|©|\(c\)\s*\d{4})|all rights reserved|^\s*\(?photos?:"
    r"|contributed to this report\.?\s*$",
    re.I,
)
_FOOTER_SOURCE = re.compile(r"(?:copyright|©)\s*(?:\d{4}\s+)?(?P<source>[^.]+?)\.", re.I)


def load_text(raw: str, reading: Reading) -> list[Article]:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    meta, text = _front_matter(text)
    title, text = _title(text, meta.get("title"), markdown=reading.name.lower().endswith((".md", ".markdown")))
    body, footer = split_footer(text)
    if not body.strip():
        raise ValueError("no article text")
    given_id = meta.get("doc_id") or meta.get("id")
    place, agency = parse_dateline(body)
    source = meta.get("source") or _footer_source(footer) or agency
    return [
        Article(
            doc_id=checked_doc_id(given_id) if given_id else reading.doc_id,
            text=body,
            title=title,
            url=meta.get("url"),
            source=source,
            date=iso_date(meta.get("date") or meta.get("publish_date")),
            dateline=place,
            authors=[a.strip() for a in meta.get("authors", "").split(",") if a.strip()],
            footer=footer,
        )
    ]


def split_footer(text: str) -> tuple[str, str | None]:
    """Split trailing copyright/credit lines off the body."""
    lines = text.rstrip().split("\n")
    cut = len(lines)
    while cut > 1 and (not lines[cut - 1].strip() or _FOOTER_LINE.search(lines[cut - 1])):
        cut -= 1
    footer = "\n".join(line for line in lines[cut:] if line.strip()) or None
    return "\n".join(lines[:cut]).strip("\n"), footer


def _footer_source(footer: str | None) -> str | None:
    match = _FOOTER_SOURCE.search(footer or "")
    return match.group("source").strip() if match else None


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group("body").split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def _title(text: str, given: str | None, markdown: bool) -> tuple[str, str]:
    if markdown:
        text = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", text))
        heading = _MD_HEADING.search(text)
        if heading and not text[: heading.start()].strip():
            text = text[heading.end() :].lstrip("\n")
            given = given or heading.group("title")
        text = _MD_HEADING.sub(r"\g<title>", text)
    first, _, rest = text.lstrip("\n").partition("\n")
    if not given and rest.strip() and _looks_like_title(first):
        return first.strip(), rest.lstrip("\n")
    return (given or headline(text)), text.lstrip("\n")


def _looks_like_title(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped.split()) <= 20 and stripped[-1] not in '.!?"”’' and parse_dateline(stripped + " ") == (None, None)


# Words that open a clause or a phrase a headline made from a first sentence may stop before.
_CLAUSE_WORDS = frozenset(
    "and but or who whom whose which that after before as when while where because since though although"
    " with without for from by in on at to of amid despite during following over under against into".split()
)
HEADLINE_CHARS = 90
HEADLINE_WORDS = 4  # the fewest words a headline cut from a sentence keeps


def headline(text: str, limit: int = HEADLINE_CHARS) -> str:
    """A title for an article that has none: its first sentence without dateline or full stop when
    it fits `limit`, else the longest opening of it that ends before a clause (a comma, a dash, "and",
    "who", "in"...), else its first words and "…"."""
    line = DATELINE.sub("", text.strip().split("\n", 1)[0], count=1).strip()
    spans = split_sentences(line)
    sentence = line[: spans[0].end] if spans else line
    if len(sentence) <= limit:
        return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence
    words = list(re.finditer(r"\S+", sentence))
    cut = ""
    for before, word in zip(words[HEADLINE_WORDS - 1 :], words[HEADLINE_WORDS:]):
        if before.end() > limit:
            break
        opens = word.group().lower().strip("“‘\"'(") in _CLAUSE_WORDS or word.group() in ("—", "–")
        if opens or before.group()[-1] in ",;:":
            cut = sentence[: before.end()].rstrip(",;:")
    return cut or sentence[:limit].rsplit(" ", 1)[0] + "…"
