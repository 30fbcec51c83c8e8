"""What kind of answer a question expects, and whether a sentence offers one.

"How many ...?" wants a number, "When ...?" a date, "Who/Where/Which country ...?" a
name. A sentence that only restates the question's own names and numbers scores high on
similarity but rarely holds the answer; one that adds a new value of the expected kind
often does.
"""

import re
from functools import lru_cache
from collections.abc import Callable
from typing import Literal

from index.loaders.text import dateline_end
from index.sentences import split_sentences
from rag.places import places_named
from rag.english import (
    AUXILIARIES,
    CARDINALS,
    DAY_OF_MONTH,
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    MONTHS,
    NUMBER_WORDS,
    OPENERS,
    PERSON_NOUNS,
    RELATIVE_DAYS,
    SUPERLATIVES,
    WEEKDAY_NAMES,
    WEEKDAYS,
    aliased,
    words_between,
)
from rag.term_weights import english_stopwords

AnswerKind = Literal["number", "date", "name", "place", "duration"]

# "What had it earned worldwide?": a sum, as "How much did it cost?" asks for one.
_WHAT_SUM = r"^\W*what\s+(?:did|does|do|had|has|have|will|would)\b.*\b(?:earn|earned|gross|grossed|cost|raise|raised)\b"
# What a sum of money measures, in the words news uses for each: "What's the median rent?" is not answered by "the
# median list price ... $446,642", nor "How much profit did it make?" by "its revenue increased to $83.1 billion".
_MEASURES = {
    name: frozenset(words.split())
    for name, words in {
        "price": "price prices priced cost costs",
        "rent": "rent rents",
        "revenue": "revenue revenues sales",
        "profit": "profit profits earnings",
        "salary": "salary salaries wage wages",
        "fine": "fine fines fined penalty penalties",
        "budget": "budget budgets",
        "fee": "fee fees",
        "value": "value valued worth valuation",
        "debt": "debt debts loan loans",
    }.items()
}
# "What is the starting price of ...?", "What was the magnitude of the earthquake?": what a number measures;
# the first ones are sums of money.
_SUMS = "|".join(sorted(set().union(*_MEASURES.values())))
# ... of them, those a number beside the word gives ("a 7.2 magnitude earthquake", "the toll rose to 1,297").
_MEASURED_WORDS = ("magnitude", "population", "turnout", "temperature", "speed", "toll", "height", "distance", "weight")
_QUANTITIES = f"{_SUMS}|percentage|percent|share|number|amount|age|size|rate|count|tally|total|score|{'|'.join(_MEASURED_WORDS)}"


def _what_is(nouns: str) -> str:
    return (
        r"^\W*what(?:[’']s|\s+(?:is|was|are|were|will be|would be|has been))\s+"
        rf"(?:(?:the|its|his|her|their|this|that|[\w.-]+[’']s)\s+)?(?:[\w-]+\s+){{0,2}}?(?:{nouns})\b(?!\s+(?:one|1)\b)"
    )


_NUMBER_QUESTION = re.compile(
    r"\bhow (?:many|much|old|far|fast|big|large|high|tall|strong|deep|heavy|hot|cold|warm|wide|low|small)\b"
    r"|\bwhat (?:percentage|percent|share|price|number|amount|age|size|magnitude|rate)\b"
    rf"|{_WHAT_SUM}|{_what_is(_QUANTITIES)}",
    re.IGNORECASE,
)
_DATE_QUESTION = re.compile(
    r"^\W*when\b|\bwhen (?:did|does|do|is|was|were|will|has|had)\b"
    r"|\b(?:what|which) (?:year|date|day|month|decade|century|time)\b"
    # "What is the deadline?", "What's the release date?"
    r"|^\W*what(?:[’']s|\s+(?:is|was|are|were|will be))\s+(?:the|its|their)\s+(?:[\w-]+\s+)?(?:dates?|deadlines?)\b",
    re.IGNORECASE,
)
# Head nouns after "which"/"what" that name a person, place, organisation or work.
# People are named after their role ("official Jake Sullivan", "President Biden") or beside it, never by the
# name before it: "White House officials", "a Conservative Party donor" name whom they work for.
PEOPLE = PERSON_NOUNS
# Roles any person named with a title may fill: "Which US official ...?" is answered by "national security adviser Jake Sullivan".
_ANY_ROLE = frozenset({"official", "person"})
_NAMED_THINGS = (
    "country|countries|state|states|city|cities|nation|province|region|area|island|continent|town|capital"
    "|county|river|lake|mountain|ocean|sea|place|company|companies|firm|brand|team|club|party|group"
    "|organi[sz]ation|agency|network|airline|retailer|university|school|court|people|"
    + "|".join(sorted(PEOPLE - {"donor"}))
    + "|band|show|series|movie|film|song|album|book|language|religion|event|award"
    "|tournament|nationality|manufacturer"
)
# "What did the mayor say" asks about the mayor, not for a name.
_AUXILIARIES = "(?:" + "|".join(sorted(AUXILIARIES - {"am", "shall", "may"})) + ")"
_PLACE_QUESTION = re.compile(r"^\W*where\b|\bwhere (?:is|was|are|were|did|does|do|will|has|had|can|could)\b", re.IGNORECASE)
_NAME_QUESTION = re.compile(
    r"^\W*(?:who|whom|whose)\b|\b(?:who|whom|whose) (?:is|was|are|were|did|does|do|will|has|had|can|could)\b"
    rf"|\b(?:which|what)\s+(?:(?!{_AUXILIARIES}\b)[\w-]+\s+){{0,2}}?(?:{_NAMED_THINGS})\b"
    # "Which park flooded?", "Which store ...?": "which" picks one of things that have names.
    rf"|^\W*which\s+(?!{_AUXILIARIES}\b|of\b)[\w-]+"
    r"|\bwhat (?:is|was|are|were) (?:his|her|its|their|the) names?\b|\bthe name of\b"
    # "What is Tesla's robot called?": a name, as "dubbed Optimus" gives it.
    r"|^\W*what (?:is|was|are|were|will)\b.*\b(?:called|named|dubbed|known as)\W*$",
    re.IGNORECASE,
)

_MONTHS = [*MONTHS, *MONTH_ABBREVIATIONS]
_DAYS = [*WEEKDAYS, *RELATIVE_DAYS]
# Month and weekday names as news capitalises them, abbreviations too: "Sept", "Tuesday".
_CALENDAR_NAMES = "|".join(name.capitalize() for name in _MONTHS + list(WEEKDAYS))
# "How long ...?" asks for a length of time (or of a road): a number of its units ("six weeks", "a nine-year sentence"),
# a "-long" word ("monthlong"), or the day it lasts until or since ("until July", "since 2019").
_DURATION_QUESTION = re.compile(r"\bhow long\b", re.IGNORECASE)
_UNITS = r"(?:second|minute|hour|day|night|week|month|year|decade|centur(?:y|ie)|mile|kilometer|kilometre|km|foot|feet|meter|metre|yard|inch(?:e)?)s?"
_NUMERAL = rf"\d[\d.,]*|{'|'.join(sorted(CARDINALS))}"
# A number of units of time or length: "three hours", "10 miles" (the unit, singular or plural, is group 1).
_SPAN = re.compile(rf"\b(?:{_NUMERAL})[\s-]+(?:more\s+|other\s+|full\s+)?({_UNITS})\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b(?:{_NUMERAL}|a|an|several|few|couple of|half an?)[\s-]+(?:more\s+|other\s+|full\s+)?{_UNITS}\b"
    r"|\b(?:hour|day|week|month|year|decade|life)-?long\b"
    rf"|\b(?:until|till|through|since)\s+(?:(?:early|mid|late)[\s-]+)?(?:\d+(?:[,.]\d+)*\b|(?-i:{_CALENDAR_NAMES})\b|(?:next|last|the end of)\b)",
    re.IGNORECASE,
)

_NUMBER_WORDS = NUMBER_WORDS
# Month and day names count capitalised only: "There may even be ..." names no month. A time of day answers "When?" too.
_DATE = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b(?-i:" + _CALENDAR_NAMES + r")\b"
    r"|\b(?:" + "|".join(RELATIVE_DAYS) + r")\b"
    r"|\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(?:noon|midnight)\b"
    r"|\b(?:next|last|this|early|late|later|earlier) (?:week|month|year|spring|summer|fall|autumn|winter|decade)\b"
    r"|\bcentur(?:y|ies)\b|\b\d+(?:st|nd|rd|th)\b"
    # an era's years and a time counted back: "about 5000-6000 BC", "some 10,000 years ago"
    r"|\b\d[\d,]*(?:\s?[-–]\s?\d[\d,]*)?\s?(?-i:BC|B\.C\.|BCE|AD|A\.D\.|CE)(?!\w)|\b\d[\d,]*\s+(?:years|decades|centuries)\s+ago\b",
    re.IGNORECASE,
)
# A year that names a thing is not when anything happened: "the 2020 election", "his 2004 album".
_NAMING_YEAR = re.compile(r"(?:\b(?:the|a|an|his|her|its|their|our|this|that)|[’']s)\s+\Z", re.IGNORECASE)
_NAMED_AFTER = re.compile(r"\s+[A-Za-z]")
# A month after a name is a name: "Theresa May", "Ruth April".
_SURNAME_MONTH = re.compile(
    r"\b(?!(?:In|On|By|Since|Until|Till|From|Last|Next|This|Early|Late|Mid|Through|Throughout|Before|After|During|Each|Every|Of|For|At|To|Around|And|Or|But|Then)\b)[A-Z][a-z]+\s(?:"
    + MONTH_NAMES
    + r")\Z"
)
# A number joined to its unit describes something ("a 25-year history", "a 10-day trip"); it counts nothing else.
_MEASURE = re.compile(r"\b\d[\d.,]*-([a-z]+)\b")
# "one of the roughest periods" picks one out; it counts nothing.
_ONE_OF = re.compile(r"\bone of\b", re.IGNORECASE)
# Not a digit inside a name: "BZ4X", "Covid-19", "G7".
_NUMBER = re.compile(r"(?<![A-Za-z\d])(?<![A-Za-z]-)\$?\d[\d.,]*%?(?!(?!(?:m|bn|k|s)\b)[A-Za-z])")
# A number after a capitalised word inside a sentence belongs to a name: "the Kids 2 Bright Starts Rocker", "Windows 10".
_IN_NAME = re.compile(rf"(?<=\S)\s+[“\"‘']?(?!(?:{WEEKDAY_NAMES}|{MONTH_NAMES})\b)(?:[A-Z]|[a-z]+[A-Z])[\w’'.-]*\s+\Z")
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_CAPITALISED = re.compile(r"(?<![\w’'.-])[A-Z][\w’'.-]*")
_WORD = re.compile(r"[\w’'-]+")
# "in Hurricane Mills", "at the Globe Life Field", "to Mexico City": a name where something happened.
_PLACE_CUE = re.compile(
    r"\b(?:in|at|near|outside|inside|across|from|into|(?<!according )to|off|on)\s+(?:the\s+)?"
    # "in downtown Kabul", "in eastern Ukraine"
    r"(?:(?:downtown|central|(?:north|south)?(?:east|west)ern|northern|southern|rural|suburban)\s+)?((?:[A-Z][\w’'.-]*\s*){1,4})"
)
# "the Britain-based observatory", "a Texas-born singer".
_PLACE_COMPOUND = re.compile(r"(?<![\w’'.-])([A-Z][\w’'.]*)-(?:based|born|headquartered)\b")
# Where the one who says something was as they said it: "..., Biden said Monday in a speech from the White House", "told
# reporters at the Pentagon", "speaking at a news conference in Tokyo" (not what they said: "said he was in Kabul").
_SPOKEN_FROM = re.compile(
    r"\b(?:said|says|told|tells|announced|announces|spoke|speaks|speaking|added|testified)"
    r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|earlier|later))?"
    r"(?:\s+(?:reporters|journalists|lawmakers|CNN|the\s+\w+))?"
    r"\s+(?:in|at|from|during|outside|inside)\b[^,;:.!?“”\"]*?(?=\bthat\b|[,;:.!?“”\"]|$)",
    re.IGNORECASE,
)
_SPEECH = re.compile(r"\b(?:say|said|says|tell|told|speak|spoke|speech|announce|announced|address|remarks)\b", re.IGNORECASE)
_LETTERS = re.compile(r"[a-z]+")
# Capitalised without naming anyone: months, days, number words, and the wire-service credits ("(AP) —", "CNN —")
# that open many sentences.
NOT_NAMES = frozenset(_MONTHS + _DAYS) | _NUMBER_WORDS | {"cnn", "ap", "afp", "reuters", "upi"}


# "Who's the husband ...?", "What's the price ...?": a question word's "'s" before a determiner is "is".
_WH_IS = re.compile(r"\b(who|what|where|when|how|which)[’']s(?=\s+(?:the|a|an|this|that|these|those|his|her|its|their|our|your|my)\b)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def asked_clause(question: str) -> str:
    """The part of a question that asks: the last of its sentences that ends in "?" (sentences as the articles' are
    split: "Jan. 6", "Dr. Fauci" and "U.S. officials" end none)."""
    text = question.strip()
    parts = [text[span.start : span.end] for span in split_sentences(text)]
    asking = [p for p in parts if p.rstrip().endswith("?")]
    return (asking or parts or [question])[-1]


def written_out(question: str) -> str:
    """`question` with a question word's "'s" before a determiner written out: "Who's the husband of ...?" asks "Who is
    the husband of ...?" ("Who's won ...?" is left as it is)."""
    return _WH_IS.sub(r"\1 is", question)


def answer_kind(question: str) -> AnswerKind | None:
    if _DURATION_QUESTION.search(question):
        return "duration"
    if _NUMBER_QUESTION.search(question):
        return "number"
    if _DATE_QUESTION.search(question):
        return "date"
    if _PLACE_QUESTION.search(question):
        return "place"
    if _NAME_QUESTION.search(question):
        return "name"
    return None


_WHICH = re.compile(r"^\W*which\s+", re.IGNORECASE)
# Nationality adjectives are capitalised without naming one of the things asked about: "the South Korean show".
_DEMONYM = re.compile(r"(?:an|ese|ish|ern)$")  # "Iranian", "Chinese", "British", "Western"


_HOW_MANY = re.compile(r"^\W*how many\s+", re.IGNORECASE)


def which_noun(question: str) -> str | None:
    """The noun "Which ...?" picks from, singular: "park" in "Which park flooded?", "monument" in
    "Which national monument did Biden create?"."""
    return _asked_noun(question, _WHICH)


def counted_noun(question: str) -> str | None:
    """What "How many ...?" counts, singular: "vote" in "How many votes did Liz Truss get?"."""
    return _asked_noun(question, _HOW_MANY)


def counted_phrase(question: str) -> str | None:
    """The words that say what "How many ...?" counts: "athletic department employees" in "How many athletic
    department employees did Michigan State lay off?"; they describe what is counted, not what happened to it."""
    return _asked_noun(question, _HOW_MANY, whole=True)


def _asked_noun(question: str, opening: re.Pattern, whole: bool = False) -> str | None:
    nouns = _asked_nouns(question, opening)
    if whole:
        return " ".join(nouns).lower() or None
    return _singular(nouns[-1].lower()) if nouns else None


@lru_cache(maxsize=1024)
def _asked_nouns(question: str, opening: re.Pattern) -> tuple[str, ...]:
    """The words of the noun phrase after `opening` ("How many", "Which"), read once per question: both the counted
    noun and the counted phrase ask for them."""
    from rag.question_reading import DETERMINERS, is_function, is_verb_form, read_question, wh_nouns  # it imports this module's neighbours

    if not opening.match(question):
        return ()
    parse = read_question(question)
    nouns = [w for w in wh_nouns(parse).split() if w.lower() not in {"much", "many"}]
    words = parse.words
    if not nouns and parse.wh < len(words) and words[parse.wh].lower == "of":  # "How many of the rockers were sold?"
        start = parse.wh + 1 + (parse.wh + 1 < len(words) and words[parse.wh + 1].lower in DETERMINERS)
        end = next((n for n in range(start, len(words)) if is_function(words[n]) or is_verb_form(words[n])), len(words))
        nouns = [w.text for w in words[start:end]]
    return tuple(nouns)


def noun_forms(noun: str) -> str:
    """A pattern for `noun` (singular) and its plural: "compan(?:y|ies)", "vote(?:e?s)?"."""
    return rf"{re.escape(noun[:-1])}(?:y|ies)" if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou") else rf"{re.escape(noun)}(?:e?s)?"


# The person nouns, singular or plural, an `_ANY_ROLE` is met by.
_ANY_PERSON = "|".join(noun_forms(noun) for noun in sorted(PEOPLE))
# Nouns that count the same things.
_SAME_COUNT = {
    "country": ("nation",),
    "nation": ("country",),
    "suv": ("sport utility vehicle", "sports utility vehicle"),
    "ev": ("electric vehicle",),
}


def counts(sentence: str, noun: str) -> bool:
    """Whether `sentence` gives a number of `noun`s: "81,326 votes", "2 million baby swings"; not
    "millions of baby swings" or "one of these swings", which count nothing."""
    number = rf"(?:\d[\d.,]*(?:st|nd|rd|th)?|{'|'.join(sorted(CARDINALS))})"
    # "41 countries", and "41 nations" for countries
    counted = "|".join(noun_forms(word) for word in (noun, *_SAME_COUNT.get(noun, ())))
    # "one of these infant swings" picks one out; it does not count them.
    # Abbreviations between are words: "2.9 million U.S. vehicles".
    found = re.finditer(rf"\b{number}\s+(?!of\b)(?:[\w’'().-]+\s+){{0,5}}?(?:{counted})\b", sentence, re.IGNORECASE)
    return any(not _IN_NAME.search(sentence[: m.start()]) for m in found)


def names_as(sentence: str, noun: str) -> bool:
    """Whether `sentence` names one of the `noun`s asked about: "Yellowstone National Park",
    "Bed Bath & Beyond stores", "Mahsa Amini, a 22-year-old Kurdish Iranian woman"; not "the South Korean show"."""
    forms = noun_forms(noun)  # "company" and "companies"
    for apposed in re.finditer(rf"(?<![\w’'-])(?-i:([A-Z][\w’'.-]*))\s*,\s+(?:a|an|the)\s+{words_between(4)}{forms}\b", sentence, re.IGNORECASE):
        name = apposed.group(1).strip("’'.").lower()
        if apposed.start() > 0 and name not in english_stopwords() and name not in NOT_NAMES:
            return True
    if noun in PEOPLE:
        roles = _ANY_PERSON if noun in _ANY_ROLE else forms
        after = re.finditer(rf"\b(?:{roles})\s+(?-i:([A-Z][\w’'.-]*))", sentence, re.IGNORECASE)
        return any((name := m.group(1).strip("’'.").lower()) not in english_stopwords() and name not in NOT_NAMES for m in after)
    for match in re.finditer(rf"\b{forms}\b", sentence, re.IGNORECASE):
        before = sentence[: match.start()].split()[-2:]
        word = before[-1].strip("’'.,") if before else ""
        first = len(before) < 2  # a sentence's first word is capitalised anyway
        if word == "&" or word[:1].isupper() and not first and word.lower() not in english_stopwords() and not _DEMONYM.search(word):
            return True
    return False


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_MONEY_QUESTION = re.compile(
    rf"{_WHAT_SUM}|{_what_is(_SUMS)}|^\W*how much\s+(?:[\w-]+\s+)?(?:{_SUMS})\b|^\W*how much\b(?:.*\b(?:cost|costs|pay|paid|pays|sell|sold|worth|invest|invested|raise|raised|spend|spent|win|won|charge|charged"
    r"|go for|went for|fetch|fetched|price|earn|earned|make|made|fine|fined|owe|owes|owed)\b|\s+money\b)",
    re.IGNORECASE,
)
# "How much more ...?", "How much less ...?": a change, which news gives as a share as often as a sum.
_CHANGE_QUESTION = re.compile(r"^\W*how much (?:more|less|higher|lower|extra|cheaper)\b", re.IGNORECASE)
# Free as a price: "The upgrade is free", "for free"; not "free loaner vehicles".
_FREE = re.compile(r"\b(?:(?:is|are|was|were|be|been|remains?|stays?|for)\s+free\b|free of charge|at no (?:cost|charge))", re.IGNORECASE)
_PERCENT = re.compile(r"\d\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_MONEY = re.compile(r"[$£€]\s?\d|\b\d[\d.,]*\s*(?:dollars|euros|pounds|yuan|yen)\b", re.IGNORECASE)


# "Who was Mahsa Amini?" is answered as news describes a person: "Mahsa Amini, a 22-year-old Kurdish Iranian".
_WHO_IS = re.compile(r"^\W*(?i:who\s+(?:is|was))\s+((?:[A-Z][\w’'.-]*\s*){1,4})\?")
_HOW_OLD = re.compile(r"^\W*how old\b", re.IGNORECASE)
# An age as news gives it: "He was 68.", "The 38-year-old", "Loretta Lynn, 90,", "aged 56".
_AGE = re.compile(
    r"\b\d{1,3}-year-old\b|\b(?:aged?|was|is|turns?|turned)\s+\d{1,3}\b(?!\d|[,.]\d|%|-|\s*(?:percent|million|billion|years? ago|to \d))|,\s\d{1,3},"
)


# "Why ...?" is answered by a sentence giving a cause: "resigned after recordings surfaced", "due to the location of
# their EU headquarters", "following the death of Mahsa Amini".
_WHY_QUESTION = re.compile(r"^\W*(?:and\s+)?why\b", re.IGNORECASE)
_REASON = re.compile(
    r"\b(?:because|due to|caused by|following|after|amid|as a result|thanks to|blamed|driven by|fu?elled by|sparked by"
    r"|triggered by|led to|reasons?|in order to|so that|in protest|over concerns?)\b",
    re.IGNORECASE,
)
_CALLED_QUESTION = re.compile(r"\b(?:called|named|dubbed|known as)\W*$", re.IGNORECASE)
# "The robot, dubbed Optimus", "a variant called BA.5", "known as “Squid Game”".
_CALLED = re.compile(r"\b(?:called|named|dubbed|known as|nicknamed)\s+(?:the\s+)?[\"“‘']?[A-Z0-9]")
# A title in quotes names a work or a feature: “Squid Game”, 'About this Profile'.
QUOTED_TITLE = re.compile(r"(?<![\w’'])[\"“‘']([A-Z][^\"“”‘’']{1,60}?)[\"”’'](?!\w)")


def strong_sign(question: str, kind: AnswerKind | None) -> Callable[[str], bool] | None:
    """What marks the sentence holding the answer better than its kind alone: a name of the
    noun "Which ...?" asks about, a sum of money for "How much did it cost?", a number of what
    "How many ...?" counts, an age for "How old ...?", an apposition for "Who was <name>?", the
    name given ("dubbed Optimus") for "What is it called?", a cause ("after", "due to") for "Why ...?".
    (Not a day of the month for "When ...?": photo captions carry one, "Police detain a man in
    Moscow on September 21, 2022", and led conversations astray.)"""
    if kind == "name" and (noun := which_noun(question)):
        asked = question_words(question)
        return lambda sentence: names_as(sentence, noun) or bool(places_named(sentence, noun) - asked)
    if kind == "number" and asks_sum(question):
        measured = _measures(question)
        if _CHANGE_QUESTION.search(question):  # "How much more will heating cost?": "17.2% more" answers as well as a sum
            return lambda sentence: bool(_MONEY.search(sentence) or _PERCENT.search(sentence)) and not _other_measure(sentence, measured)
        return lambda sentence: bool(_MONEY.search(sentence) or _FREE.search(sentence)) and not _other_measure(sentence, measured)
    if kind == "number" and (noun := counted_noun(question)):
        return lambda sentence: counts(sentence, noun)
    if kind == "number" and _HOW_OLD.search(question):
        return lambda sentence: bool(_AGE.search(sentence))
    if kind == "number" and (quantity := measured_quantity(question)):
        return lambda sentence: bool(_given_beside(quantity).search(sentence))
    if kind == "name" and _CALLED_QUESTION.search(question):
        return lambda sentence: bool(_CALLED.search(sentence) or QUOTED_TITLE.search(sentence))
    if kind is None and _WHY_QUESTION.match(question):
        return lambda sentence: bool(_REASON.search(sentence))
    if kind == "name" and (described := _WHO_IS.match(question)):
        person = described.group(1).strip()
        said = re.compile(rf"\b(?:{re.escape(person)}|{re.escape(person.split()[-1])})\s*,\s+(?:a|an|the|\d{{1,3}},)\s")
        return lambda sentence: bool(said.search(sentence))
    return None


# A quantity that is not a sum of money, as "What magnitude was ...?" or "What was the turnout?" asks for it.
_MEASURED = re.compile(
    r"^\W*what\s+(?:(?:is|was|are|were|will be|would be|has been)\s+(?:the\s+|its\s+|his\s+|her\s+|their\s+|[\w.-]+[’']s\s+)?(?:[\w-]+\s+){0,2}?)?"
    rf"({'|'.join(_MEASURED_WORDS)})\b",
    re.IGNORECASE,
)


def measured_quantity(question: str) -> str | None:
    """The quantity "What magnitude was ...?" or "What was the death toll?" asks for, which a number given beside its word
    answers ("a 7.2 magnitude earthquake", "the toll rose to 1,297"); None for sums of money and other questions."""
    found = _MEASURED.search(question)
    return found.group(1).lower() if found else None


@lru_cache(maxsize=len(_MEASURED_WORDS))
def _given_beside(quantity: str) -> re.Pattern:
    """A number given beside the word of `quantity`, and not another quantity's: "death toll is rising after 7.2
    magnitude earthquake" gives no toll."""
    other = "|".join(q for q in _MEASURED_WORDS if q != quantity)
    return re.compile(
        rf"(?:{_NUMERAL})[\s-]+(?:[\w’'-]+\s+){{0,2}}?{quantity}\b|\b{quantity}\s+(?:[\w’'-]+\s+){{0,5}}?(?:{_NUMERAL})(?![.,]?\d)(?![\s-]+(?:{other})\b)",
        re.IGNORECASE,
    )


def _measures(text: str) -> set[str]:
    """The measures of `_MEASURES` `text` names: {"rent"} for "What's the median rent?"."""
    said = set(_WORD.findall(text.lower()))
    return {name for name, words in _MEASURES.items() if said & words}


def _other_measure(sentence: str, measured: set[str]) -> bool:
    """Whether `sentence` speaks only of other measures than the question's `measured` ones."""
    if not measured:
        return False
    said = _measures(sentence)
    return bool(said) and not said & measured


def _unit_forms(unit: str) -> set[str]:
    """A unit as the question may write it: "day" and "days", "inch" and "inches", "foot" and "feet"."""
    unit = unit.lower()
    forms = {unit, unit + "s", unit + "es", unit.rstrip("s"), unit.removesuffix("es")}
    return forms | ({"foot", "feet"} if unit in ("foot", "feet") else set())


def asks_sum(question: str) -> bool:
    """Whether `question` asks for a sum of money: "How much did it cost?", "What is its starting price?"."""
    return bool(_MONEY_QUESTION.search(question))


def question_words(question: str) -> set[str]:
    """The question's words, lower-cased; a possessive also as its name: "tesla's" and "tesla"."""
    words = set(_WORD.findall(question.lower()))
    return words | {re.sub(r"[’']s$", "", word) for word in words}


def names(sentence: str) -> list[str]:
    """Capitalised words that are not stop words, months, days or number words, lower-cased."""
    found = []
    for match in _CAPITALISED.finditer(sentence):
        word = match.group(0).strip(".’'").lower()
        word = re.sub(r"[’']s$", "", word)
        if word not in english_stopwords() and word not in NOT_NAMES and word not in OPENERS:
            found.append(word)
    return found


def offers(sentence: str, kind: AnswerKind, asked: set[str]) -> bool:
    """True when `sentence` holds a value of `kind` that is not among the question's words."""
    return bool(offered(sentence, kind, asked))


def offered(sentence: str, kind: AnswerKind, asked: set[str]) -> set[str]:
    """The values of `kind` in `sentence` that are not among the question's words, lower-cased: "$4.32",
    "five", "september", "california"."""
    if kind == "number":
        if "many" in asked:  # "How many did it lose?" is not answered by "its 25-year history", nor people by "three hours"
            sentence = _MEASURE.sub(lambda m: m.group(0) if {m.group(1), m.group(1) + "s"} & asked else " ", sentence)
            sentence = _SPAN.sub(lambda m: m.group(0) if _unit_forms(m.group(1)) & asked else " ", sentence)
            sentence = _ONE_OF.sub(" ", sentence)
        # "August 3" is a date, not an amount; "iOS 17" and “Confessions 2” are names.
        sentence = DAY_OF_MONTH.sub(" ", sentence)
        numbers = {m.group(0).strip(".,") for m in _NUMBER.finditer(sentence) if not _IN_NAME.search(sentence[: m.start()])}
        found = {n for n in numbers if n.strip("$%") not in asked and not _YEAR.fullmatch(n)}
        if "much" in asked and _FREE.search(sentence):  # "How much does the upgrade cost?": "free" is a sum
            found.add("free")
        return found | ((set(_LETTERS.findall(sentence.lower())) & _NUMBER_WORDS) - asked)
    if kind == "duration":
        return {m.group(0).lower() for m in _DURATION.finditer(sentence) if not set(_WORD.findall(m.group(0).lower())) <= asked}
    if kind == "date":
        return {
            m.group(0).lower()
            for m in _DATE.finditer(sentence)
            if not _SURNAME_MONTH.search(sentence[: m.end()]) and not (_NAMING_YEAR.search(sentence[: m.start()]) and _NAMED_AFTER.match(sentence[m.end() :]))
        } - asked
    if kind in ("name", "place"):  # where it was filed is not what it says
        sentence = sentence[dateline_end(sentence) :]
    if kind == "place":
        if not _SPEECH.search(" ".join(asked)):  # where someone spoke answers only where they were when they spoke
            sentence = _SPOKEN_FROM.sub(" ", sentence)
        cues = [*_PLACE_CUE.finditer(sentence), *_PLACE_COMPOUND.finditer(sentence)]
        # A place the question names is no answer, nor are the other words of its name: "near Yosemite National Park"
        # for "Where did the Oak Fire near Yosemite start?".
        sentence = " ".join(m.group(1) for m in cues if not set(names(m.group(1))) & asked)
    titles = {m.group(1).lower() for m in QUOTED_TITLE.finditer(sentence)} if kind == "name" else set()
    titles = {t for t in titles if not set(_WORD.findall(t)) <= asked}
    asked = asked | aliased(asked)  # "the United States" is no answer to "Where in the US ...?"
    return titles | {name for name in names(sentence) if name not in asked and name.rstrip("s") not in asked}


def ranks(text: str) -> bool:
    """Whether `text` ranks something: a superlative ("the most", "biggest") or "No. 1"."""
    return bool(set(_WORD.findall(text.lower())) & SUPERLATIVES) or "No. 1" in text
