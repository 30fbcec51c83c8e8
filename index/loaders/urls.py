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


def title_from_url(url: str | None) -> str:
    """The headline slug of `url` as words, or "" when its path has none."""
    if not url:
        return ""
    segments = [unquote(s) for s in urlparse(url).path.split("/") if s]
    for segment in reversed(segments):
        segment = _TRAILING_ID.sub("", _EXTENSION.sub("", segment))
        if _INDEX_PAGE.match(segment):
            continue
        words = [w for w in _SEPARATORS.split(segment) if w]
        if len(words) >= MIN_WORDS and any(w.isalpha() for w in words):
            text = " ".join(words)
            return text[0].upper() + text[1:]
    return ""
