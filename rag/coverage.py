"""Can the best evidence answer the question at all? Checks beyond its similarity score.

A sentence can match a question closely and still not answer it: "How many ...?" needs a
number, and "What did not ...?" needs a sentence that says what did not happen.
"""

import re
from functools import partial

from rag.answer_kinds import (
    PEOPLE,
    answer_kind,
    asks_sum,
    counted_noun,
    counted_phrase,
    counts,
    asked_clause,
    names_as,
    offers,
    question_words,
    strong_sign,
    which_noun,
    written_out,
)
from rag.english import MONTH_NAMES, YEAR, words_between
from rag.evidence import Evidence
from rag.question_reading import names_a_person
from rag.term_weights import topic_terms
from rag.focus import asked_deed, named_deed, question_focus, reported_deed, says_deed, tells, told

# How many of the best sentences may supply the kind of answer asked for.
KIND_WINDOW = 3
# ... and how many may name the park of "Which park ...?" ("Yellowstone National Park") or count the votes of
# "How many votes ...?" ("81,326 votes").
NAMED_WINDOW = 5
# ... and how far under the best one's score they may be: a weak match with a number in it is no answer.
OFFERING_RATIO = 0.6
# How many of the best sentences, each from another article, show that no article is about the question
# (`scattered`); set by reason, not swept: on the archive sets it refused 4 of 66 unanswerable questions and
# 2 of 185 answerable ones that were answered right.
SCATTER = 3
# A sentence that goes on about the person of the sentence before it.
_GOES_ON = re.compile(r"(?:He|She|They)\b")
# "No 1" and "No. 5" are numbers, not negations.
_NEGATION = re.compile(r"\b(?:not|never|none|nobody|nothing|neither|nor)\b|\bno\b(?!\.?\s*\d)|n[’']t\b", re.IGNORECASE)
# A negated gerund after a preposition is part of what is asked about, not a question about what did not happen:
# "How many lawsuits accuse him of not paying people?".
_NEGATED_GERUND = re.compile(r"\b(?:of|for|by|about|from|over)\s+(?:not|never)\s+\w+ing\b", re.IGNORECASE)


def offering(question: str, evidence: list[Evidence]) -> Evidence | None:
    """The first of the best sentences that offers the kind of answer `question` asks for.

    It must share a word with the question: a number in a sentence about something else
    counts something else. A count must be of what the question says happened: "How many
    people died?" is not answered by "1,500 people were injured", nor a whole year by part of it ("in December"),
    nor "When did she become foreign secretary?" by a sentence naming no secretary.
    (Dates are not held to this:
    "When did the army capture them?" is answered by "the military said Monday it has retaken".)"""
    clause = asked_clause(question)
    kind = answer_kind(clause)
    asked = question_words(question)
    floor = evidence[0].score * OFFERING_RATIO if evidence else 0.0
    noun = counted_noun(question) if kind == "number" else None
    happened = told(clause, counted_phrase(clause)) if noun else frozenset()
    # "How many F-Series pickups did Ford sell in all of 2017?" is not answered by December's sales.
    year = whole_year(question) if kind == "number" else None
    # "When did Liz Truss become foreign secretary?" is not answered by the day she became prime minister.
    role = become_role(clause)
    # "How many viewers watched the 2021 Oscars?" is not answered by "The Academy Awards in 2020 reached 23.6 million".
    years = set(YEAR.findall(question)) if kind == "number" else set()

    def fits(e: Evidence, lexical: bool = True) -> bool:
        # A follow-up's sentence its conversation weighed in (its story; its words as typed) need not share a word with
        # the question made stand-alone: "Tepper's $2.2 billion purchase" answers "How much is he paying?"; nor say what
        # the question says happened when it counts what it asks about: "122 developing eggs" answers "How many eggs
        # was she carrying?" in the story of the python.
        said = not happened or tells(e.sentence, happened) or e.story > 0 and counts(e.sentence, noun) and not named_deed(happened)
        return (
            e.score >= floor
            and (e.lexical > 0 or e.story > 0 or not lexical)
            and said
            and not (year and (part_of_year(e.sentence, year) or other_year(e.sentence, year)))
            and not (years and dated_elsewhere(e.sentence, years))
            and (not role or _says(e.sentence, role))
        )

    candidates = realis_first(question, [e for e in evidence[:KIND_WINDOW] if fits(e)])
    # Stronger signs, looked for a little further down, the first that some sentence gives.
    signs = [sign] if (sign := strong_sign(question, kind)) else []
    # A whole year pins the measure too: "in 2021, sales slumped to $9.4 billion" answers "What were sales in 2021?"
    # before "$12.3 billion in 2013" (a month is not pinned by its year: "in March 2022", "the first quarter of 2022").
    if signs and year:
        signs.insert(0, lambda sentence, measured=sign: measured(sentence) and year in sentence)
    if not signs and (deed := reported_deed(clause)):  # "Who led the investigation?": "The report, led by Sally Q. Yates"
        focus = question_focus(clause)
        # A year pins the event: "2019's winner was ..." answers "Who won the Buffett lunch in 2019?", this year's winner does not.
        signs = [partial(says_deed, deed=deed, names=focus.years)] if focus.years else []
        signs.append(partial(says_deed, deed=deed, names=focus.names))
    # "He was 68." shares no word with "How old was Ashton Carter?": it goes on about the sentence before it.
    marked = [e for e in evidence[:NAMED_WINDOW] if fits(e) or (_GOES_ON.match(e.sentence) and fits(e, lexical=False))] if signs else []
    marked = realis_first(question, marked)
    for sign in signs:
        found = next((e for e in marked if sign(e.sentence) and (kind is None or offers(e.sentence, kind, asked))), None)
        if found:
            return found
    if kind == "number" and asks_sum(question):
        return None  # a price is a sum (or a change in one): "260 BZ4X SUVs" does not say what one costs
    # A place is a name: "Where ...?" prefers "in Hurricane Mills", and takes any new name after that.
    for wanted in [kind, "name"] if kind == "place" else [kind]:
        found = next((e for e in candidates if wanted and offers(e.sentence, wanted, asked)), None)
        if found:
            return found
    return None


# What was planned, expected or supposed to happen: not what happened. ("will", "would" and "if" are everywhere in
# reported speech: with them the preference cost five tune leads.)
_IRREALIS = re.compile(
    r"\b(?:supposed\s+to|expected\s+to|projected\s+to|forecasts?\s+to|plans?\s+to|planning\s+to|aims?\s+to|hopes?\s+to)\b",
    re.IGNORECASE,
)
_PAST = re.compile(r"\b(?:did|was|were|had)\b", re.IGNORECASE)


def realis_first(question: str, evidence: list[Evidence]) -> list[Evidence]:
    """`evidence` with the sentences that say what happened before those that say what was planned or expected, for
    a question about what happened: "How much did 'Top Gun: Maverick' make on its opening weekend?"
    is answered by "made an estimated $124 million", not "is projected to make $151 million"."""
    if not _PAST.search(question) or _IRREALIS.search(question):
        return evidence
    return sorted(evidence, key=lambda e: bool(_IRREALIS.search(e.sentence)))


# A whole year asked about: "in all of 2017", "during 2021" (not "2021-22").
_WHOLE_YEAR = re.compile(r"\b(?:in|during|for|over)\s+(?:all\s+of\s+)?((?:19|20)\d\d)\b(?!\s*[-–])")
# A part of a year a figure is given for: "in December", "in the first quarter" (not "on December 5", a day).
_PART_OF_YEAR = re.compile(rf"\b(?:in|during|for|through)\s+(?:the\s+)?(?:(?:first|second|third|fourth|last)\s+quarter|(?:{MONTH_NAMES})\b(?!\s+\d))")
_SHORTER_THAN_A_YEAR = re.compile(rf"\b(?:{MONTH_NAMES})\b|\b(?:quarter|month|week)\b")


# "When did Liz Truss become foreign secretary?", "When was she elected mayor?": the role is the head noun after the verb.
_BECOME = re.compile(
    r"\b(?:become|became|becomes|appointed|elected)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[\w’'-]+\s+){0,3}?([A-Za-z][\w-]+)\s*(?:\?|$|\b(?:of|for|at|in|on)\b)"
)


def become_role(question: str) -> str | None:
    """The role someone takes that "When did X become foreign secretary?" asks about ("secretary"); None for other
    questions, and for what things become ("When did it become law?", "became cheaper")."""
    found = _BECOME.search(question)
    return found.group(1) if found and (names_a_person(found.group(1).lower()) or found.group(1).lower() in PEOPLE) else None


def whole_year(question: str) -> str | None:
    """The year "How many ... in all of 2017?" asks about as a whole; None when it names no year or a part of one."""
    found = _WHOLE_YEAR.search(question)
    return found.group(1) if found and not _SHORTER_THAN_A_YEAR.search(question) else None


def other_year(sentence: str, year: str) -> bool:
    """Whether `sentence` names years, none of them `year`: "based on the company's 2013 earnings" for 2014."""
    named = set(YEAR.findall(sentence))
    return bool(named) and year not in named


# A figure given for a year: "in 2008", "during 2020" (not "from 2020", which a figure is compared with).
_SINCE = re.compile(r"\b(?:since|ago|than)\b", re.IGNORECASE)
_IN_YEAR = re.compile(r"\b(?:in|during)\s+((?:19|20)\d\d)\b(?!\s*[-–])")


def dated_elsewhere(sentence: str, years: set[str]) -> bool:
    """Whether `sentence` gives its figure for a year ("in 2008") and names none of the `years` asked about."""
    if years & set(YEAR.findall(sentence)):
        return False
    # "the hottest it has seen since its weather station first opened in 1921" compares; it dates nothing asked.
    return any(not _SINCE.search(sentence[: found.start()].rsplit(",", 1)[-1]) for found in _IN_YEAR.finditer(sentence))


def part_of_year(sentence: str, year: str) -> bool:
    """Whether `sentence` gives its figure for part of a year ("in December", "in the first quarter"), not `year`."""
    return bool(_PART_OF_YEAR.search(sentence)) and year not in sentence


# "Who is the new CEO of Twitter?" asks for whoever holds a role: a sentence that names no CEO cannot answer it.
_ROLE_QUESTION = re.compile(
    r"^\W*who\s+(?:is|was|are|were|will be)\s+(?:"
    r"the\s+(?:[\w’'-]+\s+){0,3}?([\w-]+)\s+(?:of|at|for|in)\b"
    # "Who was Haiti's president when it struck?", "Who is Wayfair's chief financial officer?"
    r"|(?-i:(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*)[’']s\s+(?:[\w-]+\s+){0,2}?([\w-]+)\s*(?:\?|$|(?=\b(?:when|in|at|during|before|after)\b)))",
    re.IGNORECASE,
)


# Other words that say who holds a role: a wife or husband is who someone "married".
_SAME_ROLE = {"wife": ("married", "spouse"), "husband": ("married", "spouse"), "spouse": ("married", "wife", "husband")}


def asked_role(question: str) -> str | None:
    """The role "Who is the <role> of ...?" asks who holds, lower-cased: "ceo" in "Who is the new CEO of Twitter?"."""
    found = _ROLE_QUESTION.search(written_out(question))
    return (found.group(1) or found.group(2)).lower() if found else None


def _says(sentence: str, word: str) -> bool:
    return bool(re.search(rf"\b{re.escape(word)}", sentence, re.IGNORECASE))


def covering(evidence: list[Evidence]) -> tuple[list[Evidence], str | None]:
    """The evidence whose passages mention all the question's focus (rag/focus.py); when none
    does, why not: what the best-matching sentence's passage lacks."""
    covered = [e for e in evidence if not e.missing]
    if covered or not evidence:
        return covered, None
    lacking = evidence[0].missing
    listed = ", ".join(lacking[:-1]) + f" or {lacking[-1]}" if len(lacking) > 1 else lacking[0]
    return [], f"The articles that match best do not mention {listed}."


def unsupported(question: str, evidence: list[Evidence]) -> str | None:
    """Why the evidence cannot answer `question`, or None when nothing rules it out."""
    if not evidence:
        return None
    clause = asked_clause(question)
    kind = answer_kind(clause)
    if kind and offering(question, evidence) is None:
        return f"The question asks for a {kind}, and none of the best-matching sentences gives one."
    deed = asked_deed(clause)
    names = question_focus(clause).names
    if deed and not any(says_deed(e.sentence, deed, names) for e in evidence[:KIND_WINDOW]):
        return "The question asks who did something, and none of the best-matching sentences says that anyone did."
    untold = said_unknown(question, evidence)
    if untold:
        return f"The best-matching sentence says this is not known: “{untold}”"
    unnamed = unnamed_person(clause, evidence)
    if unnamed:
        return f"The articles that match best mention {'an' if unnamed[0] in 'aeiou' else 'a'} {unnamed} but do not name one."
    role = asked_role(clause)
    if role and not any(_says(e.sentence, word) for e in evidence[:NAMED_WINDOW] for word in (role, *_SAME_ROLE.get(role, ()))):
        return f"The question asks who is the {role}, and none of the best-matching sentences names one."
    if _DID_IT_HAPPEN.match(clause) and _CONDITIONAL.match(evidence[0].sentence):
        return "The question asks whether something happened; the best-matching sentence says only what would follow if it did."
    if _NEGATION.search(_NEGATED_GERUND.sub(" ", clause)) and not _NEGATION.search(evidence[0].sentence):
        return "The question asks about something that did not happen or is not so; the best-matching sentence does not say that."
    return scattered(question, evidence)


# "Did Congress end up approving the money?" is not answered by "But if Congress approves the request, the money would
# be available": a condition tells what would follow, not whether it happened.
_DID_IT_HAPPEN = re.compile(r"^\W*(?:and\s+|so\s+)?(?:did|was|were|had)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"^\W*(?:(?:but|and|so|even|only)\s+)?(?:if|unless)\b", re.IGNORECASE)


# A sentence saying that what is asked is not known: "declined to comment on how many injuries", "Microsoft hasn't
# specified pricing beyond that", "It is not clear who ...".
_UNKNOWN = re.compile(
    r"\b(?:declined|refused|would\s+not|wouldn[’']t|did\s+not|didn[’']t|does\s+not|doesn[’']t|has\s+not|hasn[’']t|have\s+not|haven[’']t|could\s+not|couldn[’']t)"
    r"\s+(?:yet\s+|immediately\s+|publicly\s+)?(?:to\s+)?(?:comment|say|said|disclose|disclosed|specify|specified|reveal|revealed|release|released|confirm|confirmed|identify|identified|provide|provided)\b"
    r"|\bnot\s+(?:yet\s+|immediately\s+)?(?:clear|known|disclosed|released|specified|available)\b|\b(?:unclear|unknown|undisclosed)\b",
    re.IGNORECASE,
)
# Where the clause a sentence says is unknown ends.
_CLAUSE_END = re.compile(r"[;,:]|\b(?:and|but|while|so|although|though)\b")


def said_unknown(question: str, evidence: list[Evidence]) -> str | None:
    """The best-matching sentence, when it says that what `question` asks is not known; else None. Of the best
    sentences, the one sharing most of the question's words is the one about what is asked; what it says is
    unknown is the clause after the saying ("declined to comment on how many injuries"), which must share a word
    of the question: "has not yet identified the issue and is offering to buy back the SUVs" answers who buys back."""
    best = evidence[:KIND_WINDOW]
    if not best:
        return None
    closest = max(best, key=lambda e: e.lexical)
    asked = set(topic_terms(question))
    for match in _UNKNOWN.finditer(closest.sentence):
        clause = _CLAUSE_END.split(closest.sentence[match.end() :], maxsplit=1)[0]
        if asked & set(topic_terms(clause)):
            return closest.sentence
    return None


# "Who did the White House name as its national monkeypox coordinator?": the role someone was given.
_GIVEN_ROLE = re.compile(
    r"^\W*who\b.*?\bas\s+(?:(?:its|their|his|her|the|a|an|new)\s+)*(?:[\w’'-]+\s+){0,3}?([a-z]+)\s*(?:\?|$|(?=\b(?:to|in|at|for|after|before|when|of)\b))",
    re.IGNORECASE,
)


def unnamed_person(question: str, evidence: list[Evidence]) -> str | None:
    """The person "Which <role> ...?" or "Who did they name as <role>?" asks for, when the best sentences speak of one
    without a name ("a Conservative Party donor", "White House officials", "has named a national monkeypox
    coordinator") and none names one ("donor Ada Quill")."""
    noun = which_noun(question)
    if noun not in PEOPLE:
        given = _GIVEN_ROLE.match(question)
        noun = given.group(1).lower() if given and (given.group(1).islower() or given.group(1).lower() in PEOPLE) else None
    if noun is None:
        return None
    if not any(_unknown(e.sentence, noun) for e in evidence[:KIND_WINDOW]):
        return None
    return None if any(names_as(e.sentence, noun) or _given_to(e.sentence, noun) for e in evidence[:NAMED_WINDOW]) else noun


def _given_to(sentence: str, noun: str) -> bool:
    """Whether `sentence` names who was given the role: "named Robert Fenton as its monkeypox coordinator" (not
    "response coordinator Ashish Jha", who holds another)."""
    name = r"(?-i:[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)*)"
    noun = re.escape(noun)
    return bool(re.search(rf"{name}\s+as\s+{words_between(4)}{noun}\b", sentence, re.IGNORECASE))


_DEFINITE = frozenset("the this that these those his her their its our".split())


def _unknown(sentence: str, noun: str) -> bool:
    """Whether `sentence` speaks of people of the role as unknown ones: "a Conservative Party donor", "White House
    officials said"; not "the singer", who was named before."""
    if re.search(rf"\b(?:a|an|one|another|some|several)\s+{words_between(3)}{re.escape(noun)}\b", sentence, re.IGNORECASE):
        return True
    for plural in re.finditer(rf"\b{re.escape(noun)}s\b", sentence, re.IGNORECASE):
        if not _DEFINITE & set(sentence[: plural.start()].lower().split()[-3:]):
            return True
    return False


def scattered(question: str, evidence: list[Evidence]) -> str | None:
    """Why no article is about `question`, or None: its best sentences each come from another
    article, and the best of them holds at most half of the question's topic terms. A big archive
    has a sentence sharing a word or two with any question ("telephone" in a TTY number for "Who
    invented the telephone?"); one article about the question gathers its best sentences."""
    asked = set(topic_terms(question))
    best = evidence[:SCATTER]
    if not asked or len(best) < SCATTER or len({e.doc_id for e in best}) < SCATTER:
        return None
    if best[0].story:  # a follow-up led by its story's sentence: the conversation says what it is about
        return None
    if 2 * len(asked & set(topic_terms(best[0].sentence))) > len(asked):
        return None
    focus = question_focus(question)
    if focus.names and not focus.missing(best[0].sentence):  # the one the question is about is there
        return None
    return f"No article matches the question as a whole: its {SCATTER} best-matching sentences come from {SCATTER} different articles and each shares little with it."
