"""English words the question and answer readers share: months and days, number words, question
and auxiliary words. General knowledge of the language, written once; never any article's words."""

MONTHS = tuple("january february march april may june july august september october november december".split())
MONTH_ABBREVIATIONS = tuple("jan feb mar apr jun jul aug sep sept oct nov dec".split())
WEEKDAYS = tuple("monday tuesday wednesday thursday friday saturday sunday".split())
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
    richest poorest closest earliest""".split()
)

# Common ways of writing the same name; general knowledge, not any article's.
ALIASES = (
    ("us", "u.s.", "u.s", "usa", "united states", "america"),
    ("uk", "u.k.", "britain", "united kingdom"),
    ("un", "u.n.", "united nations"),
    ("eu", "e.u.", "european union"),
    ("nyc", "new york city"),
)


def aliased(words: set[str]) -> set[str]:
    """The words of other ways of writing any of `words`: "united", "states", "america", ... for "us"."""
    return {word for aliases in ALIASES if words & set(aliases) for form in aliases for word in form.split()}
