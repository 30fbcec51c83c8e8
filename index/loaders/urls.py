"""A readable title from an article URL, for records and pages that carry none.

News URLs usually end in a slug of the headline:
`https://example.com/2022/06/12/media/squid-game-season-2/index.html` → "Squid game season 2".
"""

import re
from urllib.parse import unquote, urlparse

_INDEX_PAGE = re.compile(r"^(?:index|default|article|story)(?:\.\w+)?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-_+]+")
# Trailing ids such as "-12345678" or "_a1b2c3d4e5" carry no words.
_TRAILING_ID = re.compile(r"[-_](?=[a-z0-9]*\d)[a-z0-9]{6,}$", re.IGNORECASE)
MIN_WORDS = 3
_NUMBER = re.compile(r"^\d+$")


def title_from_url(url: str | None, text: str = "") -> str:
    """The headline slug of `url` as words, or "" when its path has none: numbers that end it (a date,
    "10-24-22") dropped, each word capitalised as the article's `text` writes it ("CPI", "Ukraine")."""
    if not url:
        return ""
    segments = [unquote(s) for s in urlparse(url).path.split("/") if s]
    for segment in reversed(segments):
        segment = _TRAILING_ID.sub("", _EXTENSION.sub("", segment))
        if _INDEX_PAGE.match(segment):
            continue
        words = [w for w in _SEPARATORS.split(segment) if w]
        while words and _NUMBER.match(words[-1]):
            words.pop()
        if len(words) >= MIN_WORDS and any(w.isalpha() for w in words):
            title = " ".join(_as_written(w, text) for w in words)
            return title[0].upper() + title[1:]
    return ""


def _as_written(word: str, text: str) -> str:
    """`word` as `text` most often writes it with a capital (a name, an acronym), else as it is."""
    spellings = re.findall(rf"\b{re.escape(word)}\b", text, flags=re.IGNORECASE)
    capitalised = [s for s in spellings if s != s.lower()]
    if not capitalised or len(capitalised) * 2 < len(spellings):
        return word
    return max(set(capitalised), key=capitalised.count)
