"""English words the question and answer readers share: months and days, number words, question
and auxiliary words. General knowledge of the language, written once; never any article's words."""

import re

MONTHS = tuple("january february march april may june july august september october november december".split())
MONTH_ABBREVIATIONS = tuple("jan feb mar apr jun jul aug sep sept oct nov dec".split())
WEEKDAYS = tuple("monday tuesday wednesday thursday friday saturday sunday".split())
# The names as news capitalises them, as a regular expression's alternatives: "January|February|...".
MONTH_NAMES = "|".join(month.capitalize() for month in MONTHS)
WEEKDAY_NAMES = "|".join(day.capitalize() for day in WEEKDAYS)
# A day of a month, written either way round: "September 8", "Sept. 8", "8th September"; not "Mayor 3".
_MONTH_WORDS = "|".join((*MONTHS, *MONTH_ABBREVIATIONS))
DAY_OF_MONTH = re.compile(rf"\b(?:(?:{_MONTH_WORDS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_WORDS})\b)", re.IGNORECASE)
# A year of modern news, 1800-2099: "1994", "2022"; not "1500" (a time, an amount).
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def words_between(most: int) -> str:
    """A regular expression for up to `most` words, each followed by space, as few as will do: what may stand between
    two words that belong together ("a U.S. official", "Gen. Ali Mayhoub, the army's chief"). An abbreviation is a
    word."""
    return rf"(?:[\w’'.-]+\s+){{0,{most}}}?"


# Days named by their distance from today.
RELATIVE_DAYS = tuple("today yesterday tomorrow tonight".split())

# Cardinal numbers written as words ("one" is also a pronoun: "one of them").
CARDINALS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion trillion".split()
)
# Words that give a quantity without a digit: "dozens of", "millions of", "half".
QUANTITIES = frozenset("dozen dozens hundreds thousands millions billions half".split())
NUMBER_WORDS = CARDINALS | QUANTITIES

WH = frozenset("who whom whose what which where when why how".split())
DO = frozenset("do does did".split())
MODALS = frozenset("will would can could should shall may might must".split())
HAVE = frozenset("has have had".split())
BE = frozenset("is are was were am".split())
AUXILIARIES = DO | MODALS | HAVE | BE

# Words that rank: "Which city's rent rose most?" is answered by "saw the biggest increase", in other words.
SUPERLATIVES = frozenset(
    """most least best worst biggest largest greatest highest lowest fastest slowest newest oldest latest youngest
    longest shortest strongest weakest deadliest costliest hottest coldest busiest cheapest smallest tallest heaviest
    richest poorest closest earliest deepest widest wealthiest warmest wettest driest safest loudest quickest hardest
    easiest toughest rarest brightest darkest nearest farthest furthest fewest healthiest happiest coolest shallowest
    steepest sharpest tightest lightest""".split()
)

# Nouns that name a person by role or relation: "Which official ...?" asks for a person; "the mayor" is a "he" or "she".
PERSON_NOUNS = frozenset(
    """person man woman boy girl president premier chancellor minister secretary leader official officer chief head
    ceo founder chair chairman chairwoman member envoy ambassador diplomat senator governor mayor judge justice
    lawyer attorney prosecutor soldier general commander colonel captain king queen prince princess pope player coach
    athlete actor actress singer rapper musician artist comedian producer star celebrity author writer reporter
    journalist director candidate winner representative lawmaker politician spokesman spokeswoman spokesperson
    adviser advisor victim suspect witness doctor nurse teacher student professor driver pilot astronaut scientist
    analyst economist expert activist owner billionaire investor executive donor mother father son daughter wife
    husband brother sister""".split()
)
# Titles written before a name, shortened: "Gov. Andy Beshear", "Dr. Anthony Fauci".
PERSON_TITLES = frozenset("mr mrs ms dr sen gov rep gen".split())

# Words that open a sentence, capitalised there without naming anything: "Well, just about anything ...".
OPENERS = frozenset(
    """according however meanwhile also yes additionally moreover furthermore overall today yesterday earlier later
    instead well still yet indeed besides nonetheless nevertheless thus hence therefore otherwise likewise similarly
    finally eventually ultimately initially previously recently currently again already perhaps maybe plus anyway
    sadly unfortunately fortunately luckily importantly notably specifically generally typically basically
    essentially actually really clearly obviously certainly hopefully interestingly ironically""".split()
)

# Common ways of writing the same name; general knowledge, not any article's.
ALIASES = (
    ("us", "u.s.", "u.s", "usa", "united states", "america"),
    ("uk", "u.k.", "britain", "united kingdom"),
    ("un", "u.n.", "united nations"),
    ("eu", "e.u.", "european union"),
    ("nyc", "new york city"),
    ("id", "identification"),
)


def aliased(words: set[str]) -> set[str]:
    """The words of other ways of writing any of `words`: "united", "states", "america", ... for "us"."""
    return {word for aliases in ALIASES if words & set(aliases) for form in aliases for word in form.split()}
