"""What a question is about, and whether an article covers it.

A big archive holds a near match for almost any question, so similarity alone cannot refuse:
"Who won the 2022 World Cup?" finds sentences about the Stanley Cup. The question's focus,
the names it gives ("World Cup"), its quoted phrases and its years, must be in the article an
answer quotes; a year also counts when the article was published in it.
"""

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from index.lexical.terms import STOPWORDS, WORD, lexical_terms, stem
from rag.answer_kinds import asked_clause
from rag.english import ALIASES, AUXILIARIES, MONTHS, PERSON_NOUNS, SUPERLATIVES, WEEKDAYS, YEAR, words_between
from rag.places import places_named
from rag.relative_days import asked_window
from rag.term_weights import english_stopwords, framing_words

_TOKEN = re.compile(r"[\w’'.&-]+|\S")
_QUOTED = re.compile(r"[\"“]([^\"“”]{3,80})[\"”]")
_POSSESSIVE = re.compile(r"[’']s?$")
# A month, or a day, the question dates what it asks by: "in June 2018", "on July 19, 2022", "mid-July 2022".
_DATED = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(?:(\d{1,2}),?\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)
# A part of a year: "in late 2022", "mid-2021", "the summer of 2022" (winter straddles two years), and the month it
# begins with.
_PART_OF_YEAR = re.compile(r"\b(early|mid|late|spring|summer|fall|autumn)(?:-|\s+(?:of\s+)?)((?:19|20)\d\d)\b", re.IGNORECASE)
_PART_BEGINS = {"early": 1, "spring": 3, "mid": 5, "summer": 6, "late": 9, "fall": 9, "autumn": 9}
# A question about what was expected or planned may be answered before its date.
_AHEAD = re.compile(r"\b(?:will|expect\w*|plan\w*|forecast\w*|project\w*|schedul\w*|due|going to|set to)\b", re.IGNORECASE)
# Names written with a small first letter: "iOS", "iPhone", "eBay".
_CAMEL = re.compile(r"[a-z][A-Z]")
# A number that goes with the name before it (a model, a version, a mission); a year does not: "the World Cup 2022".
_NUMBERED = re.compile(r"\d{1,3}")
# Words capitalised in questions without naming anything.
_NOT_NAMES = frozenset(
    "i who whom whose what which where when why how is are was were do does did will would can could should has have had may might must please tell".split()
) | frozenset(MONTHS + WEEKDAYS)
# Titles before a name: "President Biden" is met by "President Joe Biden" and by "Biden".
_TITLES = frozenset(
    "mr mrs ms dr president vice prime minister secretary senator sen gov governor rep representative king queen"
    " prince princess pope judge justice general gen chancellor ceo chairman chairwoman mayor sir lord lady"
    " premier commissioner director chief coach".split()
)
# Nationality and language adjectives name their country by a shorter stem: Iranian → Iran.
_DEMONYM_ENDINGS = ("ians", "ian", "ans", "an", "ese", "ish", "is", "i")
_IRREGULAR_PAST = dict(
    pair.split(":")
    for pair in """won:win beat:beat beaten:beat lost:lose led:lead held:hold took:take taken:take made:make left:leave fell:fall
    fallen:fall rose:rise risen:rise struck:strike paid:pay sold:sell bought:buy built:build sent:send spent:spend found:find
    gave:give given:give got:get came:come went:go gone:go ran:run saw:see seen:see met:meet kept:keep brought:bring
    fought:fight caught:catch chose:choose chosen:choose drew:draw drawn:draw grew:grow grown:grow flew:fly flown:fly
    threw:throw thrown:throw wrote:write written:write spoke:speak spoken:speak stole:steal stolen:steal broke:break
    broken:break began:begin begun:begin shot:shoot sank:sink sunk:sink fled:flee hid:hide hidden:hide bore:bear born:bear
    swore:swear sworn:swear froze:freeze frozen:freeze dealt:deal meant:mean felt:feel sought:seek taught:teach""".split()
)
# Words that report the same deed: "Who won?" is answered by "defeated" and "champion" too.
_SAME_DEED = (
    ("win", "won", "winner", "winning", "victory", "victor", "champion", "champ", "championship", "defeat", "beat", "clinch", "triumph", "lost"),
    ("lead", "led", "leader", "head", "chair", "chairman", "chairwoman", "direct", "director", "command", "commander", "run", "runs", "chief", "ceo"),
    ("kill", "killed", "dead", "death", "die", "died", "shot"),
    tuple("pick picked choose chose chosen choice select selected tap tapped name named nominate nominated nominee appoint appointed".split()),
    tuple("count counted tally tallied track tracked".split()),
    tuple("watch watched viewer viewers viewership audience tune tuned".split()),
)
# A deed named to describe, not to report: "four World Cup-winning teams", "the two-time French Open winner",
# "former champion".
_EPITHET = re.compile(
    r"(?<=\w-)(?P<deed>winning|winners?|champions?)\b"
    rf"|\b(?:\w+-time|former|defending|reigning|past|previous|ex-)\s+{words_between(4)}(?P<noun>winners?|champions?|champs?)\b"
)
# How many words from the name asked about the deed may be reported: on the archive's tune half 6 to 12 refused
# as many unanswerable questions (0.85) with as few wrong refusals (0.011), 16 fewer (0.79); the widest of those.
NEAR_DEED = 12
# Verbs that say little of what happened: "How many votes did Liz Truss get?" is answered by "81,326 votes".
_LIGHT_VERBS = "get have make take do go be become give see come hold"
_WHO_DID = re.compile(r"^\W*who\s+([a-z]+)\b", re.IGNORECASE)
# "Who did the Braves beat?", "Who did Kathy Hochul pick as ...?": the verb after the subject (its names, or a pronoun).
_WHOM_DID = re.compile(r"^\W*[Ww]ho\s+(?:did|does|do|will|would)\s+(?:the\s+)?(?:(?:he|she|they|it|we|you)\s+|(?:[A-Z][\w’'.-]*\s+)+)([a-z]+)\b")
# "Her first Wimbledon", "the best pizza": what is asked is one of many. An article that never says "first" tells of
# another one ("competed at Wimbledon"); a ranking is met by any word that ranks ("rose most": "the biggest increase").
# An ordinal is met by itself or its figure: "second" by "2nd".
_ORDINALS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
}
_RANKING = SUPERLATIVES | {"top"}
# A role held for now, in either word: "Who is Ball State's acting president?" is not answered by its president.
_STANDING_IN = frozenset({"acting", "interim"})
_AGAIN = re.compile(r"\s+times?\b", re.IGNORECASE)
_NARROWING = re.compile(r"(?:^\W*|\b(?:the|a|an|her|his|its|their|our|your|my)\s+|\w[’']s\s+)(\w+)", re.IGNORECASE)
# "What is the speed of light?": an attribute of a thing in general (no "the", no capital), a question for an
# encyclopedia; an article that answers it says the two together. ("What was the cause of the fire?" is left alone:
# "the fire was caused by".)
_ATTRIBUTE_QUESTION = re.compile(
    r"^\W*(?i:what)(?:[’']s|\s+is|\s+was|\s+are|\s+were)\s+the\s+([a-z]+(?:\s[a-z]+)?)\s+of\s+(?!(?:the|a|an|this|that|these|those|his|her|its|their|our)\b)([a-z]+(?:\s[a-z]+)?)\s*\?\s*$"
)
# "The latest on the strike" asks for news, not a ranking.
_RECENT = {"latest", "newest", "top"}


@dataclass(frozen=True)
class Focus:
    """What an answer's article must mention: names (capitalised phrases), quoted phrases, years."""

    names: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    attribute: tuple[str, str] | None = None  # "What is the speed of light?": ("speed", "light")
    # One-word names of an event the question dates ("the 2022 Masters"): not met by a surname ("Blake Masters").
    events: tuple[str, ...] = ()
    # Months or days a question asks about after the fact, as ISO and as written (("2018-06", "June 2018")): an
    # article published before them cannot report it.
    dated: tuple[tuple[str, str], ...] = ()
    # Names met anywhere in a passage's article: the countries and US states the question sets itself in ("sell in the
    # US", its story's setting), and those a follow-up's rewrite put in for a pronoun (`with_article_wide`).
    article_wide: tuple[str, ...] = ()
    question: str = ""  # the question read

    def as_of(self, day: date | None) -> "Focus":
        """The focus with the days around `day` the question asks about ("tomorrow", "this week"): an article
        published well before them cannot report on them."""
        window = asked_window(self.question, day) if day else None
        if window is None:
            return self
        words, earliest = window
        return replace(
            self, dated=(*self.dated, (earliest.isoformat(), f"news from {earliest:%B} {earliest.day}, {earliest.year} on, which “{words}” asks about"))
        )

    def with_article_wide(self, names: tuple[str, ...]) -> "Focus":
        """The focus with `names` met anywhere in a passage's article too."""
        return replace(self, article_wide=tuple(dict.fromkeys((*self.article_wide, *names)))) if names else self

    def __bool__(self) -> bool:
        return bool(self.names or self.phrases or self.years or self.qualifiers or self.attribute or self.dated)

    def missing(self, text: str, date: str | None = None, lowered_article: str | None = None) -> list[str]:
        """The parts of the focus `text` does not mention; a year is also met by the `date` it was published.
        When `text` is a passage of an article (`lowered_article`, its text lower-cased), a name the
        article gives in full is met by its last word ("Mayhoub said" after "Gen. Ali Mayhoub")."""
        lowered = text.lower()
        gone = [
            name
            for name in self.names
            if (not _mentions(lowered, name) or name in self.events and not _as_event(text, name))
            and not _named_before(name, lowered, lowered_article)
            and not _said_apart(name, lowered)
            and not (name in self.article_wide and lowered_article is not None and _said(name, lowered_article))
        ]
        gone += [f"“{phrase}”" for phrase in self.phrases if phrase.lower() not in lowered]
        if self.qualifiers and not _qualified(self.qualifiers, lowered):
            gone += [f"“{word}”" for word in self.qualifiers]
        if self.attribute and not _attribute_said(*self.attribute, lowered):
            gone.append("“{} of {}”".format(*self.attribute))
        if date:  # an undated article may be from any year
            gone += [year for year in self.years if not date.startswith(year) and not re.search(rf"\b{year}\b", text)]
            gone += [written for day, written in self.dated if date[: len(day)] < day]
        return gone

    def predicate(self) -> list[str]:
        """The question's terms that are not its names: what it asks happened ("killed", "arrested"),
        irregular verbs in their base form ("won" is "win")."""
        named = set(lexical_terms(" ".join(self.names)))
        return [term for term in verb_terms(self.question, framing=True) if term not in named]


def question_focus(question: str) -> Focus:
    quoted = tuple(dict.fromkeys(m.group(1).strip() for m in _QUOTED.finditer(question)))
    unquoted = _QUOTED.sub(" ", question)
    names = list(dict.fromkeys(_names(unquoted)))
    return Focus(
        names=tuple(names),
        article_wide=_settings(unquoted, names),
        phrases=quoted,
        years=tuple(dict.fromkeys(YEAR.findall(unquoted))),
        qualifiers=_qualifiers(asked_clause(unquoted)),
        attribute=_attribute(asked_clause(unquoted)),
        events=tuple(m.group(1) for m in _DATED_EVENT.finditer(unquoted)),
        dated=() if _AHEAD.search(unquoted) else tuple(dict.fromkeys(_dated(unquoted))),
        question=question,
    )


def _dated(question: str) -> list[tuple[str, str]]:
    """The months or days `question` asks about, as ISO and as written: ("2018-06", "June 2018"), ("2022-09", "late 2022")."""
    days = [(_iso_day(m), m.group(0)) for m in _DATED.finditer(question)]
    return days + [(f"{m.group(2)}-{_PART_BEGINS[m.group(1).lower()]:02d}", m.group(0)) for m in _PART_OF_YEAR.finditer(question)]


def _iso_day(dated: re.Match) -> str:
    month, day, year = dated.groups()
    iso = f"{year}-{MONTHS.index(month.lower()) + 1:02d}"
    return f"{iso}-{int(day):02d}" if day else iso


def _qualifiers(clause: str) -> tuple[str, ...]:
    """The words narrowing what `clause` asks about to one of many: ordinals, superlatives and "acting" at its start
    or after "the" or an owner ("her first Wimbledon", "his second ethics adviser", "Best pizza in town?"), not "Who
    first came up with it?"; nor an ordinal in a name ("their Fourth of July fireworks") or telling how often ("for
    the second time")."""
    found = []
    for m in _NARROWING.finditer(clause):
        word = m.group(1).lower()
        if word in _ORDINALS and (m.group(1)[0].isupper() and m.start(1) > 0 or _AGAIN.match(clause, m.end(1))):
            continue
        if word in _ORDINALS or word in _RANKING - _RECENT or word in _STANDING_IN:
            found.append(word)
    return tuple(dict.fromkeys(found))


# "the 2022 Masters", "the 2021 Oscars": a one-word name the question dates.
_DATED_EVENT = re.compile(r"\bthe\s+(?:1[89]|20)\d\d\s+([A-Z][\w’'-]+)\b(?!\s+[A-Z])")


def _as_event(text: str, name: str) -> bool:
    """Whether `text` names the event `name` and never as a surname: "at the 2022 Masters"; not a passage with
    "Republican Blake Masters won", where "Masters said" is the man too."""
    for found in re.finditer(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
        before = text[: found.start()].split()[-1:]
        if before and before[0][:1].isupper() and before[0].lower() not in english_stopwords() and before[0][-1:].isalpha():
            return False
    return True


def _attribute(clause: str) -> tuple[str, str] | None:
    """What "What is the <attribute> of <thing>?" asks of a thing named in lower case: ("speed", "light")."""
    found = _ATTRIBUTE_QUESTION.match(clause)
    return (found.group(1), found.group(2)) if found else None


def _attribute_said(attribute: str, owner: str, lowered_text: str) -> bool:
    """Whether the text gives the thing's attribute: "the speed of light", "light's speed", "the light speed"."""
    a, o = re.escape(attribute), re.escape(owner)
    return bool(re.search(rf"\b{a}\s+of\s+(?:the\s+|a\s+)?{o}\b|\b{o}(?:[’']s)?\s+{a}", lowered_text))


def _names(text: str) -> list[str]:
    """Runs of capitalised words. A question's first word is capitalised anyway ("Best pizza in
    town?"): it counts only as an acronym or when a capitalised word follows it."""
    names, run = [], []
    tokens = _TOKEN.findall(text)
    if tokens and not tokens[0].isupper() and not (len(tokens) > 1 and tokens[1][:1].isupper()):
        tokens = ["", *tokens[1:]]
    for position, token in enumerate(tokens):
        word = _POSSESSIVE.sub("", token).strip("-")
        word = word if word.count(".") > 1 else word.strip(".")  # "U.S." keeps its dots
        capitalised = (word[:1].isupper() or _CAMEL.match(word) is not None) and any(c.isalpha() for c in word)
        stop = word.lower() in english_stopwords() and (position == 0 or not word.isupper())  # "No 1"; but "US"
        plain = word.lower() in _NOT_NAMES or stop
        if run and _NUMBERED.fullmatch(word):  # "iOS 17", "iPhone 14", "Apollo 11": the number is the name's
            run.append(word)
            continue
        if capitalised and not plain:
            if not (word.lower() in _TITLES and not run):
                run.append(word)
            if token != word and _POSSESSIVE.search(token):  # "Syria's army": the name ends here
                names.append(" ".join(run))
                run = []
            continue
        if run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    return names


def verb_terms(text: str, framing: bool = False) -> list[str]:
    """`text`'s words, irregular past forms in their base form, stemmed; without stop words (and,
    with `framing`, the words that only frame a question: who, did, say)."""
    dropped = framing_words() if framing else STOPWORDS
    return stem([_IRREGULAR_PAST.get(w, w) for w in WORD.findall(text.lower()) if w not in dropped])


def asked_deed(question: str) -> frozenset[str]:
    """For "Who <verb> ...?" with a verb of `_SAME_DEED`, the stems a sentence reporting that deed
    would use ("Who won the Stanley Cup?": win, victori, champion, defeat, ...); empty otherwise:
    other verbs are reported in words no list foresees ("Who redesigned its menu?": "a new menu")."""
    stems = _who_verb(question)
    return next((frozenset(_deed_stems(deed)) for deed in _SAME_DEED if stems & _deed_stems(deed)), frozenset())


def reported_deed(question: str) -> frozenset[str]:
    """The stems of what "Who <verb> ...?" asks who did, for preferring the sentence that reports it: `asked_deed`'s
    words for a deed it lists, else the verb's own ("Who plays Alaska on Hulu?": play; "Froseth, who plays Alaska").
    Not a reason to refuse: other words may report it ("Who caught the ball?": "the fan who snagged it")."""
    return asked_deed(question) or _who_verb(question) - _auxiliary_stems()


def _who_verb(question: str) -> frozenset[str]:
    """The stems of the verb "Who <verb> ...?" or "Who did they <verb>?" asks about; empty for other questions."""
    found = _WHOM_DID.search(question) or _WHO_DID.search(question)
    return frozenset(verb_terms(found.group(1))) if found else frozenset()


@lru_cache(maxsize=1)
def _auxiliary_stems() -> frozenset[str]:
    """What "Who is ...?", "Who has to ...?" open with: no deed."""
    return frozenset(verb_terms(" ".join([*AUXILIARIES, _LIGHT_VERBS])))


def told(question: str, noun: str | None = None) -> frozenset[str]:
    """What the question says happened, as stems, beside its names, the counted `noun` (a word, or the words saying
    what is counted: "athletic department employees") and light verbs, with the words of the same deed: "died" in
    "How many people died in the floods?" is die, kill, dead, death, ...; empty when nothing is left ("How many votes
    did she get?")."""
    skipped = set(verb_terms(f"{noun} {noun}s {_LIGHT_VERBS}" if noun else _LIGHT_VERBS))
    stems = set(question_focus(question).predicate()) - skipped
    for deed in _SAME_DEED:
        if stems & _deed_stems(deed):
            stems |= _deed_stems(deed)
    return frozenset(stems)


def named_deed(stems: frozenset[str]) -> bool:
    """Whether `stems` (`told`) hold a deed of `_SAME_DEED`, which news reports in words it lists (win, lead, kill):
    a count of the same people that does not say them counts another deed ("1,500 people were injured")."""
    return any(stems & _deed_stems(deed) for deed in _SAME_DEED)


def tells(sentence: str, stems: frozenset[str]) -> bool:
    """Whether `sentence` uses one of the `stems` (`told`)."""
    return bool(stems.intersection(verb_terms(sentence)))


@lru_cache(maxsize=None)
def _deed_stems(deed: tuple[str, ...]) -> set[str]:
    return set(verb_terms(" ".join(deed)))


def says_deed(sentence: str, deed: frozenset[str], names: tuple[str, ...] = (), near: int = NEAR_DEED) -> bool:
    """Whether `sentence` reports the deed; with `names` (the question's focus), of one of them:
    a word of the deed within `near` words of the name ("defeated ... to win the Stanley Cup"),
    not "competed at Wimbledon, ..., winning three matches"."""
    words = WORD.findall(_EPITHET.sub(_unsaid, sentence.lower()))
    at = [n for n, term in enumerate(verb_terms(w)[0] if verb_terms(w) else "" for w in words) if term in deed]
    if not at or not names:
        return bool(at)
    lowered = sentence.lower()
    for name in names:
        for form in _forms(name.lower()):
            for found in _pattern(form).finditer(lowered):
                position = len(WORD.findall(lowered[: found.start()]))
                if any(abs(position - n) <= near for n in at):
                    return True
    return False


def _unsaid(found: re.Match) -> str:
    """The epithet with its deed word masked, keeping the words' count."""
    group = "deed" if found.group("deed") else "noun"
    return found.group(0)[: found.start(group) - found.start()] + "x" * len(found.group(group))


def _qualified(qualifiers: tuple[str, ...], lowered_text: str) -> bool:
    """Whether the text says what narrows the question: an ordinal itself ("first", "2nd"), an acting role in either
    word ("acting", "interim"), and for a ranking any word that ranks."""
    said = set(WORD.findall(lowered_text))
    return all(
        bool({word, _ORDINALS[word]} & said)
        if word in _ORDINALS
        else bool(said & _STANDING_IN)
        if word in _STANDING_IN
        else bool(said & _RANKING) or "no. 1" in lowered_text
        for word in qualifiers
    )


def _named_before(name: str, lowered_passage: str, lowered_article: str | None) -> bool:
    words = name.split()
    return bool(lowered_article) and len(words) > 1 and _mentions(lowered_passage, words[-1]) and _mentions(lowered_article, name)


def _settings(question: str, names: list[str]) -> tuple[str, ...]:
    """The countries and US states among `names` that `question` sets itself in: "in the US", "across Texas"; not the
    actors of "Did Russia want Iran out?", which the sentence itself must speak of. A town placed in one is a setting
    too: "in Rochester, New York"."""
    places = [name for name in names if places_named(name, "country") or places_named(name, "state")]
    placed = [
        (name, place)
        for name in names
        for place in places
        if place != name and re.search(rf"\b(?:in|near|outside)\s+{re.escape(name)},\s+(?:the\s+)?{re.escape(place)}(?!\w)", question)
    ]
    towns_and_states = dict.fromkeys(name for pair in placed for name in pair)
    return tuple(towns_and_states) + tuple(
        name
        for name in places
        if name not in towns_and_states
        and re.search(
            rf"\b(?:in|across|throughout|around|outside|inside|within)\s+(?:the\s+)?{re.escape(name)}(?!\w)"
            rf"|\b(?:the|its|their|his|her|a|an)\s+(?:[\w-]+\s+)?{re.escape(name)}\s+[a-z]",  # "its three-day US opening weekend"
            question,
        )
    )


def _said(name: str, lowered_text: str) -> bool:
    """Whether `lowered_text` mentions `name` in any of the ways `Focus.missing` accepts."""
    return _mentions(lowered_text, name) or _said_apart(name, lowered_text)


def _said_apart(name: str, lowered_text: str) -> bool:
    """Whether `lowered_text` mentions `name` other than as written: its words apart, turned around, an acronym
    written out, a place and its people apart."""
    return _words_mentioned(name, lowered_text) or _turned_around(name, lowered_text) or _spelled_out(name, lowered_text) or _placed_group(name, lowered_text)


def _words_mentioned(name: str, lowered_text: str) -> bool:
    """Whether each word of a name of three or more words is mentioned, apart: "NHL Stanley Cup Finals" in "the
    Stanley Cup Final ... the NHL". (Two are too few: "World" and "Cup" apart are not the World Cup.)"""
    words = name.split()
    return len(words) > 2 and all(_mentions(lowered_text, word) for word in words)


def _placed_group(name: str, lowered_text: str) -> bool:
    """Whether a place and the people of it a two-word name joins are both mentioned: "Kentucky Republicans" in
    "Kentucky voters ... the bill's Republican backers"; not "World Cup", whose first word is no place."""
    words = name.split()
    if len(words) != 2 or not (places_named(words[0], "state") or places_named(words[0], "country")):
        return False
    group = words[1].lower()
    if not group.endswith("s") or group[:-1] not in PERSON_NOUNS | _PARTY_MEMBERS:
        return False  # "the Pennsylvania Senate" is one body, not the people of a place
    return _mentions(lowered_text, words[0]) and _mentions(lowered_text, words[1])


_PARTY_MEMBERS = frozenset("republican democrat conservative liberal".split())


def _turned_around(name: str, lowered_text: str) -> bool:
    """Whether a two-word name is said the other way round, with "of", "in", "for" or "across" a few words on: "the
    Pennsylvania Senate" in "a Senate seat in Pennsylvania", "the Texas governor" in "the governor of Texas", "the
    Brooklyn Dodgers" in "the Dodgers in their original home in Brooklyn"."""
    words = name.lower().split()
    if len(words) != 2:
        return False
    first, second = map(re.escape, words)
    return bool(re.search(rf"\b{second}\b[\w-]*(?:\s+[\w’'-]+){{0,4}}\s+(?:of|in|for|across)\s+(?:the\s+)?{first}\b", lowered_text))


_ACRONYM = re.compile(r"[A-Z]{2,5}")


def _spelled_out(name: str, lowered_text: str) -> bool:
    """Whether an acronym is written out, each of its letters opening a word of three letters or more, small words
    between them: "AC" in "air conditioning", "VAB" in "Vehicle Assembly Building"."""
    return bool(_ACRONYM.fullmatch(name)) and bool(_written_out(name.lower()).search(lowered_text))


@lru_cache(maxsize=1024)
def _written_out(acronym: str) -> re.Pattern:
    """The words `_spelled_out` looks for, compiled once per acronym as `_pattern` is per name."""
    between = r"[\s-]+(?:(?:of|and|for|the|&|on|in)\s+)?"
    return re.compile(r"\b" + between.join(rf"{letter}\w{{2,}}" for letter in acronym) + r"\b")


def _mentions(lowered_text: str, item: str) -> bool:
    return any(_pattern(form).search(lowered_text) for form in _forms(item.lower()))


@lru_cache(maxsize=4096)
def _forms(name: str) -> tuple[str, ...]:
    for aliases in ALIASES:
        if name in aliases:
            return aliases
    forms = [name]
    if len(name) >= 4 and name.endswith("s") and not name.endswith("ss"):
        forms.append(name[:-1])  # "Kias" is met by "Kia"
    if " " not in name:
        forms += [name[: -len(end)] for end in _DEMONYM_ENDINGS if name.endswith(end) and len(name) - len(end) >= 4]
    return tuple(forms)


@lru_cache(maxsize=4096)
def _pattern(form: str) -> re.Pattern:
    """`form` at a word's start, any ending after it: "Stanley Cup" meets "Stanley Cups", "Iran" meets "Iranian";
    a short one only as itself or its plural: "SUV" meets "SUVs", not "Suva"."""
    words = [re.escape(word) for word in form.split()]
    open_ended = len(form) >= 4 and form[-1:].isalnum() and not any(form in aliases for aliases in ALIASES)
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + (r"\w*" if open_ended else r"s?(?!\w)"))
