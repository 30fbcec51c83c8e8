"""The day a news sentence means by "Thursday" or "yesterday", from the date of its article.

News dates an event by the weekday around publication: "Queen Elizabeth II died Thursday" in an
article of Friday, September 9, 2022 means September 8. Read months later, "Thursday" says
nothing, so an answer to "When ...?" that leads with such a sentence also gives the day it means.
"""

import re
from datetime import date, timedelta

from rag.english import DAY_OF_MONTH, RELATIVE_DAYS, WEEKDAY_NAMES, WEEKDAYS
from rag.recency import parse_day

_RELATIVE = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
_DAY_WORD = re.compile(rf"\b(?:({WEEKDAY_NAMES})|({'|'.join(RELATIVE_DAYS)}))\b")
# A weekday said of what is to come: "will launch Monday", "is scheduled for Saturday".
_AHEAD = re.compile(r"\b(?:will|would|is set to|are set to|is scheduled|are scheduled|scheduled|plans? to|expected to|due to|next)\b", re.IGNORECASE)
# A verb in the past: "announced", "said", "told".
_PAST = re.compile(r"\b(?:\w+ed|said|told|made|took|gave|met|won|left|came|went|began|saw)\b", re.IGNORECASE)
# "last Tuesday", "next Friday", "every Sunday": not the nearest one, or not one day.
_QUALIFIED = re.compile(r"\b(?:last|next|every|each|most)\s+$", re.IGNORECASE)


def meant_day(sentence: str, published: str | None) -> tuple[str, date] | None:
    """The first weekday or relative day `sentence` dates something by, with the day it means in an article
    `published` then; None when the sentence gives a full date, has no such word, or the article has no date."""
    day_of_article = parse_day(published)
    if day_of_article is None or DAY_OF_MONTH.search(sentence):  # a day already given in full
        return None
    for found in _DAY_WORD.finditer(sentence):
        if _QUALIFIED.search(sentence[: found.start()][-12:]):
            continue
        if found.group(2):
            return found.group(2), day_of_article + timedelta(days=_RELATIVE[found.group(2)])
        weekday = WEEKDAYS.index(found.group(1).lower())
        if _ahead(sentence[: found.start()]):
            return found.group(1), day_of_article + timedelta(days=(weekday - day_of_article.weekday()) % 7 or 7)
        return found.group(1), day_of_article - timedelta(days=(day_of_article.weekday() - weekday) % 7)
    return None


def _ahead(before: str) -> bool:
    """Whether the words before a weekday put it ahead: "will try again Saturday", not "will perform next year, the NFL
    announced Sunday" (a verb in the past between them dates the announcement)."""
    found = list(_AHEAD.finditer(before))
    if not found:
        return False
    last = found[-1]
    between = before[last.end() :]
    return len(between.split()) <= 6 and not _PAST.search(between)


def spelled(day: date) -> str:
    """`day` as news writes it in full: "Thursday, September 8, 2022"."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


# A question about the days around it ("What's the weather tomorrow?", "Who plays tonight?", "What happened this
# week?") and how old an article may be to report on them: news of the day, or of the week.
_ASKED_NEAR = re.compile(r"(?<!\bUSA )\b(today|tonight|tomorrow|this (?:morning|afternoon|evening|week|weekend))\b", re.IGNORECASE)
NEWS_WINDOW_DAYS = {"week": 8, "weekend": 8}
DAY_WINDOW = 3


def asked_window(question: str, as_of: date) -> tuple[str, date] | None:
    """The days around `as_of` the question asks about, as its words and the earliest day an article
    reporting on them may be from: ("tomorrow", as_of - 3 days), ("this week", as_of - 8 days); None when it
    asks about no such days."""
    found = _ASKED_NEAR.search(question)
    if not found:
        return None
    words = found.group(1).lower()
    days = NEWS_WINDOW_DAYS.get(words.split()[-1], DAY_WINDOW)
    return words, as_of - timedelta(days=days)
