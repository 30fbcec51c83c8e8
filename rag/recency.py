"""A soft preference for articles published shortly before an "as of" date.

News questions are about what was recent when they were asked. With `as_of`, a hit's
score is scaled by how close its article's date is (just before `as_of` is best);
articles published after `as_of` cannot be about it and keep only the floor weight.
"""

import math
from datetime import date

UNKNOWN_DATE_WEIGHT = 0.5


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def as_of_day(filters) -> date | None:
    """The "as of" date of a request's `Filters`, if it gives one."""
    return parse_day(filters.as_of) if filters is not None and filters.as_of else None


def asked_on(filters) -> date:
    """The day a question is asked: its "as of" date, else today."""
    return as_of_day(filters) or date.today()


def recency_weight(published: str | None, as_of: date, days: float) -> float:
    day = parse_day(published)
    if day is None:
        return UNKNOWN_DATE_WEIGHT
    age = (as_of - day).days
    if age < -1:
        return 0.0
    return math.exp(-max(age, 0) / days)


def with_recency(score: float, published: str | None, as_of: date, share: float, days: float) -> float:
    """Scale `score`: `share` of it depends on recency, which halves every `days`·ln2."""
    return score * ((1 - share) + share * recency_weight(published, as_of, days))
