"""Reading a question with word lists, not a parser: its wh-phrase, auxiliary, subject and main verb,
and the noun phrases a later pronoun may stand for, each with its kind (a person, a name, a thing,
an organisation, a plural, a place).

"did the Syrian army capture" splits into subject and verb at the first common verb, or else at the
last lowercase word (a verb after "did" takes no -s).
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.english import AUXILIARIES, BE, DO, HAVE, MODALS, MONTH_NAMES, PERSON_NOUNS, PERSON_TITLES, WEEKDAY_NAMES, WH
from rag.term_weights import english_stopwords

_TOKEN = re.compile(r"\w+(?:[’'.-]\w+)*(?:(?<=s)[’'](?!\w))?")
AUX = AUXILIARIES
# A question opening with a wh-word and "is" run together: "What's", "Who’s".
_WH_IS = re.compile(r"(what|who|where|when|how|which)[’']s")
DETERMINERS = frozenset("the a an this that these those his her its their our my your some any all both each every".split())
PERSONAL = frozenset("he she it they him her them".split())
POSSESSIVE = frozenset("his her its their".split())
DEMONSTRATIVE = frozenset("this that these those".split())
PLACE_PREPOSITIONS = frozenset("in at into from to near inside outside across".split())
WH_MODIFIERS = frozenset("many much long old often far other".split())
# Adverbs that sit between an auxiliary and its verb: "Is Boeing still building ...?"
ADVERBS = frozenset("still already ever never really actually exactly finally recently currently officially ultimately".split())
_CALENDAR = (
    f"{MONTH_NAMES}|{WEEKDAY_NAMES}"
    "|(?:1[5-9]|20)\\d\\d"
    "|(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\\.(?= \\d)"  # "Dec. 13", as news writes a day
)
# "May", "December 2016", "Saturday and Sunday", "Dec. 13": what "What about June?" replaces.
WHEN = re.compile(rf"\b(?:{_CALENDAR})(?:(?:,? | and )(?:\d{{1,2}}\b|{_CALENDAR}))*\b")
# Common base-form verbs (a question's main verb after "did", "will", ...).
_VERBS = frozenset(
    """say tell ask do make go get take give come see know think want mean use find show try call keep let
    begin start seem help talk turn run move live believe bring happen write provide stand lose pay meet
    include continue set learn change lead understand follow stop create speak read allow add spend grow
    open win offer remember consider appear buy wait serve die send expect build stay fall cut reach kill
    remain suggest raise pass sell require report decide return explain hope develop carry break receive
    agree support hit produce cause plan claim announce attack capture seize leave force fight launch join
    deny reject accuse warn urge order approve sign ban visit hold control defeat withdraw
    strike free protect threaten destroy respond react end face arrest charge vote elect hire fire close""".split()
)
# Irregular past tenses: "did the army win" -> "the army won".
# fmt: off
PAST = {
    "say": "said", "tell": "told", "do": "did", "make": "made", "go": "went", "get": "got", "take": "took",
    "give": "gave", "come": "came", "see": "saw", "know": "knew", "think": "thought", "mean": "meant",
    "find": "found", "begin": "began", "keep": "kept", "run": "ran", "bring": "brought", "write": "wrote",
    "sit": "sat", "stand": "stood", "lose": "lost", "pay": "paid", "meet": "met", "lead": "led", "read": "read",
    "spend": "spent", "grow": "grew", "win": "won", "buy": "bought", "send": "sent", "build": "built",
    "fall": "fell", "cut": "cut", "hold": "held", "leave": "left", "fight": "fought", "strike": "struck",
    "break": "broke", "draw": "drew", "choose": "chose", "catch": "caught", "hit": "hit", "become": "became", "lay": "laid",
    "rise": "rose", "sell": "sold", "hear": "heard", "feel": "felt", "seek": "sought", "speak": "spoke",
    "drive": "drove", "fly": "flew", "throw": "threw",
}
# Past tenses whose participle differs: "Who took the photo?" -> "When was the photo taken?".
PARTICIPLES = {
    "took": "taken", "gave": "given", "went": "gone", "saw": "seen", "knew": "known", "began": "begun",
    "wrote": "written", "broke": "broken", "fell": "fallen", "drew": "drawn", "chose": "chosen",
    "grew": "grown", "became": "become", "did": "done", "rose": "risen", "spoke": "spoken", "drove": "driven",
    "flew": "flown", "threw": "thrown",
}
# fmt: on
IRREGULAR_PAST = frozenset(PAST.values()) | frozenset(PARTICIPLES.values()) | {"been"}
# Verbs whose subject is someone speaking or deciding, not the thing spoken of.
_SPEECH_VERBS = frozenset(
    """say said tell told announce ask claim deny warn promise admit argue insist explain confirm reveal
    describe think thought believe want suggest propose tweet write wrote reply react testify decide plan
    hope praise criticize criticise call urge accuse blame""".split()
)
# Head nouns (or titles before a name) that name a person.
_PERSON_NOUNS = PERSON_NOUNS | PERSON_TITLES
_PERSON_SUFFIXES = ("man", "woman", "ist")
# Head nouns that name an organisation: "it" and "they" both may stand for one.
_ORGANISATION_NOUNS = frozenset(
    """army military government administration ministry department police company firm bank team club party
    group council committee board court agency parliament congress senate union league federation observatory
    organization organisation network coalition alliance commission authority regime navy force guard office
    airline manufacturer retailer newspaper channel university school hospital church""".split()
)
_IRREGULAR_PLURALS = frozenset("people men women children police troops".split())


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    lower: str
    name: bool  # capitalised, and not a sentence-initial function word
    # "according" in "US inflation, according to RSM": no phrase runs over a comma, but a place does ("Buchanan County, Virginia")
    after_comma: bool = False


@dataclass(frozen=True)
class Referent:
    """A noun phrase of an earlier question that a pronoun may stand for."""

    text: str  # "the Syrian army"
    span: tuple[int, int] | None  # where it stands in its question
    kind: str  # "person", "name", "thing", "organisation", "plural", "place" or "owner" (of "X's Y")
    # "object" when the question asked who did something to it: "Who helped the army?"
    role: str = "subject"
    speaker: bool = False  # the subject of "say", "announce": someone, not the thing spoken of


@dataclass(frozen=True)
class Parsed:
    text: str
    words: list[Word]
    wh: int  # words in the wh-phrase ("Which neighbourhoods": 2); 0 without one
    aux: int | None  # index of the auxiliary ("did")
    subject: tuple[int, int] | None  # word range of the subject after the auxiliary
    verb: int | None  # index of the main verb


# --- reading a question ----------------------------------------------------------------


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    # "worth" ends a noun phrase: "How much is the deal worth?"
    return english_stopwords() | WH | AUX | WH_MODIFIERS | ADVERBS | {"whose", "else", "please", "worth"}


def tokens(text: str) -> list[Word]:
    words = []
    for match in _TOKEN.finditer(text):
        token, lower = match.group(0), match.group(0).lower()
        if (wh := _WH_IS.fullmatch(lower)) and not words:  # "What's the top movie?": "What" and "is"
            words += [Word(token[: wh.end(1)], match.start(), match.start() + wh.end(1), wh.group(1), False)]
            words += [Word(token[wh.end(1) :], match.start() + wh.end(1), match.end(), "is", False)]
            continue
        capitalised = token[0].isupper() or any(part[:1].isupper() for part in token.split("-")[1:])
        initial_function = not words and (lower in function_words() or lower in _VERBS)  # "Tell me about ..."
        comma = bool(words) and "," in text[words[-1].end : match.start()]
        words.append(Word(token, match.start(), match.end(), lower, capitalised and not initial_function, comma))
    return words


def is_function(word: Word) -> bool:
    return not word.name and (word.lower in function_words() or auxiliary(word) is not None)


def auxiliary(word: Word) -> str | None:
    lower = word.lower.replace("’", "'").removesuffix("n't")
    lower = {"wo": "will", "ca": "can"}.get(lower, lower)
    return lower if lower in AUX else None


def is_possessive(word: Word) -> bool:
    return bool(re.search(r"[’']s$|s[’']$", word.text))


def _plural_s(lower: str) -> bool:
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is"))


def is_plural(lower: str) -> bool:
    """Whether a lower-cased noun is plural: "people", "lawsuits"; not "status" or "crisis"."""
    return lower in _IRREGULAR_PLURALS or _plural_s(lower)


def _is_base_verb(word: Word) -> bool:
    return not word.name and word.lower in _VERBS


def _is_participle(word: Word) -> bool:
    lower = word.lower
    return not word.name and (lower in IRREGULAR_PAST or (len(lower) > 4 and lower.endswith(("ed", "ing"))) or (len(lower) == 4 and lower.endswith("ied")))


def is_verb_form(word: Word) -> bool:
    lower = word.lower
    third_person = lower.endswith("s") and (lower[:-1] in _VERBS or lower[:-2] in _VERBS)
    return _is_base_verb(word) or _is_participle(word) or (not word.name and third_person)


def read_question(text: str) -> Parsed:
    words = tokens(text)
    wh = _wh_phrase_length(words)
    aux = wh if wh < len(words) and auxiliary(words[wh]) else None
    subject, verb = _subject_and_verb(words, aux) if aux is not None else (None, None)
    if aux is None and wh:
        verb = wh if wh < len(words) else None
    return Parsed(text, words, wh, aux, subject, verb)


def _wh_phrase_length(words: list[Word]) -> int:
    """Words in the opening wh-phrase: "Who" 1, "Which neighbourhoods" 2, "How many people" 3."""
    if not words or words[0].lower not in WH:
        return 0
    n = 1
    while n < len(words) and words[n].lower in WH_MODIFIERS:
        n += 1
    if words[0].lower in {"who", "whom", "where", "when", "why"}:
        return n
    start = n
    while n < len(words) and not is_function(words[n]) and not _is_participle(words[n]) and not (n > start and is_verb_form(words[n])):
        # A lower-case word between the asked noun and a name is a verb: "Which team beat Tom Brady ...?"
        if n > start and not words[n].name and n + 1 < len(words) and words[n + 1].name:
            break
        n += 1
    return n


def _subject_and_verb(words: list[Word], aux: int) -> tuple[tuple[int, int] | None, int | None]:
    start = aux + 1
    if start >= len(words) or (_is_participle(words[start]) and auxiliary(words[aux]) not in DO | MODALS):
        return None, start if start < len(words) else None  # "Which countries have provided ...": the wh-phrase is the subject
    noun = start + 1 < len(words) and not is_function(words[start + 1]) and not is_verb_form(words[start + 1])
    # "will those doses have", "was that deal approved"; not "Is that true?", "Is that true for kids?"
    noun = noun and (is_plural(words[start + 1].lower) or start + 2 < len(words) and not is_function(words[start + 2]))
    determiner = words[start].lower in DEMONSTRATIVE and noun
    if words[start].lower in PERSONAL | DEMONSTRATIVE | {"there"} and not determiner:  # not "those doses" of "will those doses have"
        return (start, start + 1), start + 1 if start + 1 < len(words) else None
    end = noun_phrase_end(words, start)
    if end == start:
        return None, None
    verb = _verb_in(words, start, end, auxiliary(words[aux]))
    return (start, verb if verb is not None else end), verb


def noun_phrase_end(words: list[Word], start: int) -> int:
    """[determiner] content words, chained by "of": "the spokesman of Iran's Foreign Ministry"."""
    end = start
    while True:
        n = end + (1 if end < len(words) and words[end].lower in DETERMINERS else 0)
        content = n
        while (
            content < len(words)
            and not is_function(words[content])
            and not (content > n and words[content].after_comma and not (words[content].name and words[content - 1].name))
        ):
            content += 1
        if content == n:
            return end
        end = content
        if not (end + 1 < len(words) and words[end].lower == "of"):
            return end
        end += 1


def _verb_in(words: list[Word], start: int, end: int, aux: str) -> int | None:
    """The main verb inside the words after the auxiliary, or None when they are all subject."""
    first = start + (1 if words[start].lower in DETERMINERS else 0)
    inside = range(first + 1, end)
    if aux in BE | HAVE:
        return next((n for n in inside if _is_participle(words[n])), None)
    known = next((n for n in inside if _is_base_verb(words[n])), None)
    if known is not None:
        return known
    # An object name after the verb ("tell Assad") ends the search; a verb after "did" takes no -s.
    limit = next((n for n in inside if words[n].name and not words[n - 1].name), end)
    lowercase = [n for n in range(first + 1, limit) if not words[n].name and not _plural_s(words[n].lower) and not is_possessive(words[n])]
    return lowercase[-1] if lowercase else None


# --- what an earlier question is about ------------------------------------------------


# A number or a span of time stands for nothing a pronoun refers to: "it" in "When was it last that high?" is not
# the "$110" of "$110 oil", nor "their" in "... for their work?" "the past three decades".
_AMOUNT = re.compile(r"\$?[\d.,]+%?")
_PERIOD = re.compile(
    r"(?:the\s+)?(?:(?:past|last|next|coming|previous|first|same)\s+)?(?:[\w-]+\s+)?(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|hours?)",
    re.IGNORECASE,
)


def referents_of(parse: Parsed) -> list[Referent]:
    """The question's noun phrases a pronoun may stand for, most salient first: its subject (or
    the people its wh-phrase asks about), then the phrases after its verb. Dates and numbers stand for nothing."""
    words = parse.words
    if not words:
        return []
    found: list[Referent] = []
    speaker = parse.verb is not None and is_speech(words[parse.verb])
    subject = subject_text(parse)
    if subject is not None:
        asks_who = words[0].lower == "who" and parse.aux is not None and auxiliary(words[parse.aux]) in BE
        inside = [w for w in words if subject[1][0] <= w.start < subject[1][1]]
        kind = kind_of(inside)  # "Liz Truss, Britain's new prime minister" is a person
        subject = _before_apposition(subject, words)
        inside = [w for w in inside if w.start < subject[1][1]]
        kind = "person" if asks_who and kind == "name" else kind  # "Who is Liz Truss?"; not "Who are the Proud Boys?"
        lone = len(inside) == 1 and _not_a_noun(words, words.index(inside[0]))
        if not _AMOUNT.fullmatch(subject[0]) and not lone:
            found += [Referent(subject[0], subject[1], kind, speaker=speaker), *_owner(parse, inside)]
    elif wh_is_subject(parse) and wh_nouns(parse):
        nouns = [w for w in words[1 : parse.wh] if w.lower not in WH_MODIFIERS]
        kind = kind_of(nouns)
        relative = "who" if kind == "person" else "that"
        found.append(Referent(f"the {wh_nouns(parse)} {relative} {predicate_of(parse)}", None, kind, speaker=speaker))
    role = "object" if words[0].lower == "who" and subject is None else "subject"
    n = max(parse.wh, parse.verb + 1 if parse.verb is not None else 0, parse.subject[1] if parse.subject else 0)
    while n < len(words):
        # "that" before a verb relates a clause: "the space plane that took Richard Branson" holds no phrase "that took ...".
        relative = words[n].lower == "that" and n + 1 < len(words) and is_verb_form(words[n + 1])
        opens = words[n].lower in DETERMINERS and not relative or not is_function(words[n]) and not is_verb_form(words[n])
        # A bare role after "as" is no one a pronoun stands for: "at Powell's first meeting as chair".
        as_role = n > 0 and words[n - 1].lower == "as" and not words[n].name and words[n].lower not in DETERMINERS
        end = noun_phrase_end(words, n) if opens and not as_role and not _not_a_noun(words, n) else n
        if end > n:
            span = (words[n].start, words[end - 1].end)
            text = parse.text[span[0] : span[1]]
            place = words[n].name and words[end - 1].name and words[n - 1].lower in PLACE_PREPOSITIONS  # not "to US inflation"
            if not WHEN.fullmatch(text) and not _AMOUNT.fullmatch(text) and not _PERIOD.fullmatch(text):
                found += [Referent(text, span, "place" if place else kind_of(words[n:end]), role), *_owner(parse, words[n:end], role)]
        n = max(end, n + 1)
    if words[0].lower in {"whose", "which"} and parse.subject is not None and (nouns := [w for w in words[1 : parse.wh] if w.lower not in WH_MODIFIERS]):
        # "Whose record would she break?": the record, whoever's it is ("How old was she when she set it?").
        found.append(Referent(f"the {parse.text[nouns[0].start : nouns[-1].end]}", None, kind_of(nouns), "object"))
    return found


def _before_apposition(phrase: tuple[str, tuple[int, int]], words: list[Word]) -> tuple[str, tuple[int, int]]:
    """A name without the phrase set beside it: "Liz Truss" of "Liz Truss, Britain's new prime minister"."""
    text, (start, end) = phrase
    name, comma, beside = text.partition(", ")
    inside = [w for w in words if start <= w.start < start + len(name)]
    if not comma or not inside or not all(w.name for w in inside) or not re.search(r"\b[a-z]", beside):
        return phrase  # "Claremont, California" is one place
    return name, (start, inside[-1].end)


# Prepositions after an adjective that "be" predicates: "Who is eligible for a booster?", "Who is responsible to the board?".
_ADJECTIVE_PREPOSITIONS = frozenset("for to about with at from on by in".split())
_ADVERB_ENDINGS = ("ally", "ately", "ently", "antly", "ously", "ively", "edly")


def _not_a_noun(words: list[Word], n: int) -> bool:
    """Whether the lone lower-case word at `n` is no noun a pronoun could stand for: a verb after "to" ("did the US
    plan to roll out": not "roll"), an adjective "be" predicates ("Who is eligible for ...": not "eligible") or an
    adverb ("initially").
    A plural ("talk to reporters") or a word a determiner opens is a noun."""
    word, after = words[n], words[n + 1] if n + 1 < len(words) else None
    if word.name or word.lower in DETERMINERS or is_plural(word.lower) or n < 1:
        return False
    if len(word.lower) > 6 and word.lower.endswith(_ADVERB_ENDINGS) and (after is None or after.lower not in DETERMINERS):
        return True  # "roll out initially"
    if auxiliary(words[n - 1]) in MODALS:
        return True  # "seat belts that could fail"
    infinitive = n >= 2 and words[n - 1].lower == "to" and is_verb_form(words[n - 2])
    predicated = auxiliary(words[n - 1]) in BE and after is not None and after.lower in _ADJECTIVE_PREPOSITIONS
    return infinitive or predicated


def _owner(parse: Parsed, phrase: list[Word], role: str = "subject") -> list[Referent]:
    """ "Brittney Griner" of "Brittney Griner's sentence"."""
    owned = next((i for i, w in enumerate(phrase[:-1]) if is_possessive(w)), None)
    if owned is None or not all(w.name for w in phrase[: owned + 1]):
        return []
    span = (phrase[0].start, phrase[owned].end - (2 if phrase[owned].text.endswith("s") else 1))
    return [Referent(parse.text[span[0] : span[1]], span, "owner", role)]


def kind_of(phrase: list[Word]) -> str:
    """ "person" (a title or a head noun naming someone), "name" (a proper name of unknown kind),
    "plural", "organisation" or "thing"."""
    head_part = phrase[: next((i for i, w in enumerate(phrase) if w.lower == "of" and i), len(phrase))]
    owner = max((i for i, w in enumerate(head_part[:-1]) if is_possessive(w)), default=-1)
    head_part = head_part[owner + 1 :]
    head = head_part[-1]
    titled = any(w.name and is_person_noun(w) for w in head_part[:-1])  # "President Biden", "Gen. Ali Mayhoub"
    if is_person_noun(head) or titled:
        return "person"
    if head.lower in _ORGANISATION_NOUNS:
        return "organisation"
    if head_part[0].name and head.name:
        return "name"  # "Kanye West", not "Twitter account": a common noun heads a thing
    if head.name:
        return "organisation"  # a name after "the" is no person: "the World Series", "the Astros"
    if is_plural(head.lower):
        return "plural"
    return "thing"


def is_person_noun(word: Word) -> bool:
    return names_a_person(word.lower)


def names_a_person(noun: str) -> bool:
    """Whether the lower-cased `noun` names someone by role: "secretary", "mayor", "spokeswoman"."""
    lower = noun.rstrip(".")
    return lower in _PERSON_NOUNS or len(lower) > 4 and lower.endswith(_PERSON_SUFFIXES)


def is_speech(word: Word) -> bool:
    lower = word.lower
    return any(form in _SPEECH_VERBS for form in (lower, lower[:-1], lower[:-2], lower[:-3] + "y"))


def wh_is_subject(parse: Parsed) -> bool:
    """ "How many people left the area?", "How many people were on board?": no subject after the verb."""
    return parse.wh > 0 and parse.subject is None and (parse.verb is not None or parse.aux is not None)


def wh_nouns(parse: Parsed) -> str:
    """ "neighbourhoods" in "Which neighbourhoods", "people" in "How many people"."""
    nouns = [w for w in parse.words[1 : parse.wh] if w.lower not in WH_MODIFIERS]
    return parse.text[nouns[0].start : nouns[-1].end] if nouns else ""


def predicate_of(parse: Parsed) -> str:
    start = parse.words[parse.aux if parse.aux is not None else parse.wh].start
    return parse.text[start:].rstrip(" ?.!")


def subject_text(parse: Parsed) -> tuple[str, tuple[int, int]] | None:
    """The subject after the auxiliary, unless it is a pronoun; "the name of X" gives X."""
    if parse.subject is None:
        return None
    first, last = parse.subject
    words = parse.words
    if words[first].lower in PERSONAL | POSSESSIVE | {"there"} or last - first == 1 and words[first].lower in DEMONSTRATIVE:
        return None
    if parse.aux is not None and auxiliary(words[parse.aux]) in BE and words[0].lower in {"what", "which"}:
        of = next((n for n in range(first, last) if words[n].lower == "of"), None)
        if of is not None and of + 1 < last:
            first = of + 1
    if parse.aux is not None and auxiliary(words[parse.aux]) in BE and words[first].name:
        names_end = next((n for n in range(first, last) if not words[n].name), last)  # "Liz Truss" of "was Liz Truss prime minister"
        last = last if any(is_possessive(w) for w in words[first:names_end]) else names_end  # "Kanye West's Twitter account"
    span = (words[first].start, words[last - 1].end)
    return parse.text[span[0] : span[1]], span


def first_noun_phrase(parse: Parsed, after: int) -> tuple[str, tuple[int, int]] | None:
    words = parse.words
    for n in range(after, len(words)):
        if words[n].lower in DETERMINERS or not is_function(words[n]) and not is_verb_form(words[n]):
            end = noun_phrase_end(words, n)
            if end > n:
                span = (words[n].start, words[end - 1].end)
                return parse.text[span[0] : span[1]], span
    return None


_NOT_PLACE_TO = frozenset("according due thanks owing".split())


def place_phrase(parse: Parsed) -> str | None:
    """The first place named after "in", "at", "to"...: "in Hajar al-Aswad"; not a source ("according to AAA")."""
    words = parse.words
    for n, word in enumerate(words[:-1]):
        if word.lower == "to" and n and words[n - 1].lower in _NOT_PLACE_TO:
            continue
        if word.lower in PLACE_PREPOSITIONS and words[n + 1].name:
            end = noun_phrase_end(words, n + 1)
            return parse.text[word.start : words[end - 1].end]
    return None
