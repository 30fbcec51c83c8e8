"""News or background? A news article leads with its latest event and tells the story's past
further down ("The Lightning won the last two Stanley Cups in 2020 and 2021"). An answer should
lead with the news unless the question asks about the past.
"""

import math
import re

from rag.english import MONTH_NAMES, YEAR

_LOOKING_BACK = re.compile(
    r"\b(?:previously|formerly|used to|had been|(?:the )?(?:last|past|previous) (?:two|three|four|five|six|several|few|\d+)\b)",
    re.IGNORECASE,
)
# A pointer to another story ("More: ...", "Read more:") or a photo credit ("... /Getty Images"):
# page furniture, not a statement of the article.
_POINTER = re.compile(r"^\W*(?:more|related|read more|read|see also|watch|listen|live updates)\s*:", re.IGNORECASE)
# A list of links to other stories: "• Rookie NFL player retires over safety issues".
_BULLET = re.compile(r"^\s*[•·▪►●]")
# The outlet promoting itself or speaking of its own pages: "Sign up here for the '5 Things' newsletter.", "Get CNN
# Health's weekly newsletter", "You can get ... delivered to your inbox daily.", "A version of this story appeared in
# CNN's ... newsletter.", "This is the weekly edition of ...", "Editor's note: ...".
_PROMOTION = re.compile(
    r"^\W*(?:sign up|subscribe)\b|\bnewsletter\b.*\b(?:sign up|subscribe|inbox)\b|\b(?:sign up|subscribe)\b.*\bnewsletter\b"
    r"|\b(?:delivered|sent)\s+(?:straight\s+)?to your inbox\b|^\W*a version of this (?:story|article)\b"
    r"|^\W*this is the (?:[\w-]+\s+)?edition of\b.*\bnewsletter\b|^\W*editor[’']?s note\b",
    re.IGNORECASE,
)
# A statement ends like one: a heading, a dateline or a label ("Most expensive gas in the USA",
# "São Paulo, Brazil CNN —", "In pictures: ...") does not.
_STATEMENT_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”]\s*$")
_PHOTO_CREDIT = re.compile(r"/\s*(?:getty images|afp|ap|reuters|shutterstock|bloomberg|epa|sipa|alamy|ap photo)\b|\((?:photo|image) by\b", re.IGNORECASE)
_MONTH = f"(?:{MONTH_NAMES})"
# A wire photo's caption ends with when and where it was taken, the year without a comma after it:
# "... in the wake of Hurricane Ian on October 02, 2022 in Fort Myers Beach, Florida."
_CAPTION_DATELINE = re.compile(rf"\bon {_MONTH} \d{{1,2}}, \d{{4}} in [A-Z][\w’'-]*(?:,? [A-Z][\w’'.-]*){{0,5}}\.\s*$")
# ... or with where and then when: "... walks past damage on Litchfield Beach, South Carolina on October 1, 2022."
_CAPTION_PLACE_DATE = re.compile(
    rf"\b(?:in|at|on|outside|near|from) (?:the )?[A-Z][\w’'-]*(?:,? [A-Z0-9][\w’'.-]*){{0,5}} on {_MONTH} \d{{1,2}}, \d{{4}}\.\s*$"
)
# The sentences that tell an article's news.
LEAD_NEWS = 3
# How fast the lead's advantage fades down an article, in sentences.
LEAD_SENTENCES = 8.0


def lead_weight(index: int) -> float:
    """1.0 for an article's first sentence, fading further down."""
    return math.exp(-index / LEAD_SENTENCES)


def looks_back(sentence: str, index: int, published: str | None, asked_years: set[str]) -> bool:
    """Whether `sentence`, the article's sentence number `index`, tells of an earlier time than its
    article's news, which the question does not ask about. The lead tells the news even when it
    looks back ("the team's first title since 2001")."""
    if index < LEAD_NEWS:
        return False
    years = set(YEAR.findall(sentence))
    if years & asked_years:
        return False
    if years and (published or "")[:4].isdigit() and max(years) < published[:4]:
        return True
    return bool(_LOOKING_BACK.search(sentence)) and not asked_years


def points_elsewhere(sentence: str) -> bool:
    """A line that links to another story or promotes the outlet: it states nothing of this article."""
    return bool(_POINTER.match(sentence) or _BULLET.match(sentence) or _PROMOTION.search(sentence))


def is_caption(sentence: str) -> bool:
    """A photo caption with its credit, or a heading or label that states nothing ("Most expensive
    gas in the USA"): it restates the story, often from another time, or only names it."""
    captioned = _PHOTO_CREDIT.search(sentence) or _CAPTION_DATELINE.search(sentence) or _CAPTION_PLACE_DATE.search(sentence)
    return bool(captioned) or not _STATEMENT_END.search(sentence)
