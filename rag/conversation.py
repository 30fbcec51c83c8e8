"""Follow-up questions: rewrite a follow-up into a stand-alone question before retrieval.

A follow-up is rewritten only when it leans on the conversation: a pronoun that points outside
it ("Who helped them?"), an ellipsis ("And in May?", "What about Iran?", "When?"), or "that"
standing for the previous question's event ("When was that?"). Anything else is kept exactly as
written: "Who announced the capture?" names what it asks about. The rewrite is a question a
reader reads, with the pronoun replaced: nothing is added in brackets.

A pronoun takes the first earlier noun phrase that agrees with it, from the latest question
first: "he"/"she" a person ("the spokesman", the X of "Who is X?") before a name of unknown
kind, "it" a thing, organisation or name that is not the speaker of "What did Musk say about
Twitter Blue?", "they" a plural or an organisation before a name. Only the previous questions'
subjects and objects travel: what they asked for ("neighbourhoods") would pull retrieval back
to the previous answer. An LLM, when one is configured, writes the rewrite and its reply is
checked (rag/conversation_llm.py); otherwise, or when the reply fails the checks, the heuristic below rewrites, reading
questions as rag/question_reading.py does.
"""

import re

from rag.english import OPENERS, YEAR
from rag.answer_kinds import NOT_NAMES, answer_kind, asked_clause
from index.lexical.terms import lexical_terms
from rag.conversation_llm import llm_rewrite
from rag.answerers import NOT_FOUND
from rag.claims import split_claims
from rag.schema import Turn
from rag.question_reading import (
    ADVERBS,
    BE,
    DEMONSTRATIVE,
    DETERMINERS,
    DO,
    IRREGULAR_PAST,
    PARTICIPLES,
    PAST,
    PERSONAL,
    PLACE_PREPOSITIONS,
    POSSESSIVE,
    WH,
    WHEN,
    WH_MODIFIERS,
    Parsed,
    Referent,
    Word,
    auxiliary,
    first_noun_phrase,
    function_words,
    is_plural,
    is_function,
    is_person_noun,
    is_speech,
    is_verb_form,
    kind_of,
    noun_phrase_end,
    place_phrase,
    predicate_of,
    read_question,
    referents_of,
    subject_text,
    tokens,
    wh_is_subject,
    wh_nouns,
)

# Pronouns that agree with the same referent: "he ... his" is one person.
_PRONOUN_CLASS = {
    **dict.fromkeys(("he", "him", "his"), "he"),
    **dict.fromkeys(("she", "her"), "she"),
    **dict.fromkeys(("it", "its"), "it"),
    **dict.fromkeys(("they", "them", "their"), "they"),
}
# The kinds of noun phrase each pronoun class may stand for, best first: earlier turns are read
# for a better kind before a weaker one of the latest turn is taken.
_AGREES = {
    "he": (("person",), ("name", "speaker")),
    "she": (("person",), ("name", "speaker")),
    "it": (("thing", "organisation", "name"), ("speaker",), ("place",)),
    "they": (("plural", "organisation"), ("name", "speaker")),
}
# "owner Elon Musk", "Gen. Ali Mayhoub", "spokesman, Bahram Ghasemi": a role, then a capitalised name.
_ROLE_BEFORE_NAME = re.compile(r"\b([A-Za-z]+)\.?,? +(?=([A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,3}))")
# "Brittney Griner" in "How long is Brittney Griner's sentence?": any pronoun's last resort.
_OWNERS = (("owner",),)
# "And in May?", "And for the Avalanche?": a phrase that asks the previous question again.
_ELLIPSIS_PREPOSITIONS = PLACE_PREPOSITIONS | frozenset("on for during since before after by over through throughout within".split())
# "that one" stands for a thing as "it" does: "How many people did that one kill?"
_ONE = re.compile(r"\b(?:that|this) one\b", re.IGNORECASE)
# A year in an ellipsis ("And the 2010 quake?") dates the question anew: the previous question's date goes.
_YEAR_IN = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
# A time told by its distance from the one asked about: "a year earlier", "two weeks later", "the year before", "last year".
_TIME_AWAY = re.compile(
    r"(?:(?:a|an|one|two|three|four|five|six|\d+)\s+(?:years?|months?|weeks?|days?|decades?)\s+(?:earlier|later|before|after|ago|on)"
    r"|the\s+(?:year|month|week|day|season)\s+(?:before|after)|(?:last|next|the\s+previous|the\s+following)\s+(?:year|month|week|weekend|season))",
    re.IGNORECASE,
)
_EARLIER, _LATER = frozenset("earlier before ago".split()), frozenset("later after on".split())
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# A group by its name, plural: "Democrats", "Republicans", "Britons".
_GROUP = re.compile(r"[A-Z][a-z]+[a-rt-z]s")
# Words that take a part of what was counted: "How many of them", "most of them".
_PARTS = frozenset("many much most some all none few half".split())
# "Quora's", and the possessive with the names after it that belong to its owner: "'s Starwood" of "Marriott's Starwood data breach".
_POSSESSIVE_END = re.compile(r"[’']s$")
_OWNED = re.compile(r"[’']s(?:\s+[A-Z][\w’'.&-]*)*")
# A date that names a day: "Dec. 13", "September 8", "Thursday".
_A_DAY = re.compile(r"(?<!\d)\d{1,2}(?!\d)|day\b")
# A time told relative to another: "the year before", "last year", "in the previous season".
_RELATIVE_TIME = re.compile(
    r"(?:\b(?:in|on|during|for)\s+)?\b(?:the\s+(?:year|month|week|day|season)\s+before|(?:last|that|this|next|the\s+previous|the\s+following)\s+"
    r"(?:year|month|week|weekend|day|season))\b",
    re.IGNORECASE,
)
# "it" after these is an event, not a thing: "Why did they do it?"
_EVENT_VERBS = frozenset("do does did doing done say says said".split())
# "When did that happen?", "When was that?": "that" is the previous question's event.
_EVENT_WORDS = frozenset("happen happened occur occurred start started begin began end ended take took place come came about".split())
# Words that open a follow-up without meaning anything: "And who helped them?"
_OPENERS = frozenset("and so but then also ok okay well now".split())


def standalone_question(question: str, history: list[Turn] | None, llm=None) -> str:
    """`question` rewritten to stand on its own, given the conversation before it; unchanged when
    it has nothing to resolve."""
    history = history or []
    people = _people(history)
    previous = _resolved_user_questions(history, people)
    if not previous or not refers_back(question):
        return question
    if llm is not None:
        rewrite = llm_rewrite(llm, question, history)
        if rewrite:
            return rewrite
    latest = _latest_answer(history)
    return _heuristic(question, previous, people, answered=_answered_name(latest), answered_date=_answered_date(latest)) or question


def previous_question(history: list[Turn] | None) -> str | None:
    """The conversation's latest user question made stand-alone (by the heuristic, without an LLM)."""
    history = history or []
    previous = _resolved_user_questions(history, _people(history))
    return previous[-1] if previous else None


# --- the heuristic --------------------------------------------------------------------


def _resolved_user_questions(history: list[Turn], people: frozenset[str]) -> list[str]:
    """The user's earlier questions, each itself made stand-alone, oldest first."""
    resolved: list[str] = []
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            text = turn.content.strip()
            rewrite = _heuristic(text, resolved, people, describe=False) if resolved and refers_back(text) else None
            resolved.append(rewrite or text)
    return resolved


def _heuristic(
    question: str, previous: list[str], people: frozenset[str], describe: bool = True, answered: str | None = None, answered_date: str | None = None
) -> str | None:
    """`describe`: a pronoun may stand for the answer to "Who ...?" ("the person who won"), or the name
    that answer gave (`answered`); not in the earlier questions made stand-alone, which later ones
    read for their phrases. "that day" is the date the answer to "When ...?" gave (`answered_date`)."""
    body = _body(question)
    parse = read_question(body)
    latest = read_question(asked_clause(previous[-1]))
    rewritten = (
        _dislocated(body)
        or _ellipsis(body, parse, latest)
        or _bare_wh(parse, latest)
        or _event_that(parse, latest)
        or _said_that(body, parse, latest)
        or _which_is_that(body, parse, latest)
        or _replace_anaphora(body, parse, [read_question(asked_clause(text)) for text in reversed(previous)], people, describe, answered, answered_date)
    )
    return _capitalise(rewritten) if rewritten else None


def refers_back(question: str) -> bool:
    """An outside pronoun, an ellipsis, or "that" standing for an event: the question needs earlier turns."""
    parse = read_question(asked_clause(_body(question)))
    if not parse.words:
        return False
    return bool(
        _outside_pronouns(parse)
        or _is_ellipsis(parse)
        or _is_bare_wh(parse)
        or _is_event_that(parse)
        or _is_said_that(parse)
        or _that_time(parse) is not None
        or _is_which_is_that(parse)
    )


def _body(question: str) -> str:
    """The question without its opener, "that one" read as "it"."""
    return _ONE.sub("it", _strip_opener(question))


def _strip_opener(question: str) -> str:
    text = question.strip()
    while True:
        match = re.match(r"(\w+)[\s,]+", text)
        if not match or match.group(1).lower() not in _OPENERS or len(text) == match.end():
            return text
        text = text[match.end() :]


# --- rewriting -------------------------------------------------------------------------


def _is_ellipsis(parse: Parsed) -> bool:
    """ "What about Iran?", "And the rebels?", "And in May?": a phrase asking the previous question again."""
    words = parse.words
    if len(words) > 2 and words[0].lower in {"what", "how"} and words[1].lower == "about":
        return True
    if not words or parse.wh or parse.aux is not None or any(is_verb_form(w) for w in words):
        return False
    if _TIME_AWAY.fullmatch(" ".join(w.text for w in words)):  # "And a year earlier?"
        return True
    if len(words) > (8 if words[0].lower in _ELLIPSIS_PREPOSITIONS else 5):  # "over the whole four-day Memorial Day weekend"
        return False
    if words[0].lower in _ELLIPSIS_PREPOSITIONS:
        return len(words) > 1 and noun_phrase_end(words, 1) == len(words)
    return len(words) <= 4 and noun_phrase_end(words, 0) == len(words) and (words[0].name or words[0].lower in DETERMINERS)


def _ellipsis(body: str, parse: Parsed, latest: Parsed) -> str | None:
    """The latest question with what the ellipsis names in place of its like: a date for a date,
    "in Texas" for "in Ohio", a name for a name; a phrase with nothing like it is added at the end."""
    if not _is_ellipsis(parse):
        return None
    words = parse.words
    first = 2 if words[0].lower in {"what", "how"} and words[1].lower == "about" else 0
    preposition = words[first].lower if words[first].lower in _ELLIPSIS_PREPOSITIONS and first + 1 < len(words) else None
    phrase = words[first + 1 :] if preposition else words[first:]
    replacement = body[phrase[0].start : phrase[-1].end]
    if preposition is None and _TIME_AWAY.fullmatch(replacement):  # "And a year earlier?": when, not what
        return _at_another_time(latest, replacement)
    if preposition is None and (asked_anew := _value_asked(replacement, phrase, latest)):
        return asked_anew
    span = _replaced_span(replacement, phrase, preposition, latest)
    timely = WHEN.fullmatch(replacement) or preposition in {"on", "during", "over"}  # "on Christmas Eve" is a time
    if span is None and preposition is not None and timely and (relative := _RELATIVE_TIME.search(latest.text)):
        span, replacement = relative.span(), body[words[first].start : phrase[-1].end]  # "in 2019" for "the year before"
    if span is None and preposition is not None:
        # "over the whole Memorial Day weekend" for "in its opening weekend": a phrase with the same last word
        span = _same_head(latest, phrase[-1].lower)
        replacement = body[words[first].start : phrase[-1].end] if span else replacement
    if span is not None:
        before, after = latest.text[: span[0]], latest.text[span[1] :]
        if _YEAR_IN.search(replacement):
            before, after = _undated(before), _undated(after)
        return before + replacement + after
    if preposition is None:
        return None
    text = _without_modifiers(latest, {w.lower for w in phrase if w.name})
    return f"{text.rstrip().rstrip('?').rstrip()} {body[words[first].start : phrase[-1].end]}?"


def _without_modifiers(parse: Parsed, names: set[str]) -> str:
    """`parse`'s question without the `names` it uses before a noun: "And outside the US?" asks "How many vehicles is
    Toyota recalling ...", not "How many US vehicles ...", again."""
    text, words = parse.text, parse.words
    for word, following in reversed(list(zip(words, words[1:]))):
        if word.lower in names and not following.name and following.lower not in function_words() and not is_verb_form(following):
            text = text[: word.start] + text[following.start :]
    return text


def _dislocated(body: str) -> str | None:
    """ "And the old director, what's his role now?": a phrase set before the question is what its pronoun stands
    for ("What's the role of the old director now?")."""
    topic, comma, rest = body.partition(",")
    topic, rest = topic.strip(), rest.strip()
    words = tokens(topic)
    if not comma or not words or len(words) > 6 or any(is_verb_form(w) or auxiliary(w) or w.lower in WH for w in words):
        return None
    if not (words[0].lower in DETERMINERS or all(w.name for w in words)) or words[0].lower in OPENERS | _OPENERS:
        return None  # "the old director", "Ford"; not "Yes, what did he say?"
    parse = read_question(rest)
    if not parse.wh and parse.aux is None:
        return None
    pronoun = next((n for n, word in enumerate(parse.words) if word.lower in _PRONOUN_CLASS and not word.name), None)
    if pronoun is None:
        return None
    start, end, text = _pronoun_edit(parse.words, pronoun, topic)
    return rest[:start] + text + rest[end:]


# Nouns that name a value of their own, and the kind of answer each is: "And the backup dates?" asks for dates.
_VALUE_NOUNS = {
    **dict.fromkeys("date dates day days time times".split(), "date"),
    **dict.fromkeys("price prices cost costs fee fees fare fares amount number age score total toll rate".split(), "number"),
    **dict.fromkeys("name names".split(), "name"),
}


def _value_asked(replacement: str, phrase: list[Word], latest: Parsed) -> str | None:
    """ "What are the backup dates?" for "And the backup dates?" after "How long is the launch window?": a phrase
    naming a value of another kind than the latest question asks for asks for that value, not the latest question
    again ("How long is the backup dates?"); None otherwise."""
    kind = _VALUE_NOUNS.get(phrase[-1].lower)
    if kind is None or answer_kind(asked_clause(latest.text)) == kind:
        return None
    verb = "are" if phrase[-1].lower.endswith("s") else "is"  # every plural of `_VALUE_NOUNS` ends in "s", no singular does
    return f"What {verb} {_lower_first(replacement)}?"


def _at_another_time(latest: Parsed, when: str) -> str:
    """The latest question at the time `when` tells: years away from a year it gave counted ("in November 2020" and
    "a year earlier": "in November 2019"), else in place of the time it gave, else added."""
    dated = re.search(rf"(?:\b(?:in|on|during)\s+)?{WHEN.pattern}", latest.text)
    shift = _years_away(when)
    if dated and shift and (year := _YEAR_IN.search(dated.group(0))):
        start = dated.start() + year.start()
        return latest.text[:start] + str(int(year.group(0)) + shift) + latest.text[start + 4 :]
    found = _RELATIVE_TIME.search(latest.text) or dated
    if found:
        return latest.text[: found.start()] + when + latest.text[found.end() :]
    return f"{latest.text.rstrip().rstrip('?').rstrip()} {when}?"


def _years_away(when: str) -> int:
    """How many years before (negative) or after `when` ("a year earlier", "the year after") tells; 0 for another unit."""
    words = when.lower().split()
    if not words or words[-1] not in _LATER | _EARLIER or not words[-2].startswith("year"):
        return 0
    count = 1 if words[0] in {"a", "an", "one", "the"} else _COUNTS.get(words[0], int(words[0]) if words[0].isdigit() else 0)
    return count if words[-1] in _LATER else -count


def _same_head(parse: Parsed, head: str) -> tuple[int, int] | None:
    """Where `parse` has a phrase after a preposition that ends in `head`, the preposition with it."""
    words = parse.words
    for n, word in enumerate(words[:-1]):
        if word.lower in _ELLIPSIS_PREPOSITIONS:
            end = noun_phrase_end(words, n + 1)
            if end > n + 1 and words[end - 1].lower == head:
                return word.start, words[end - 1].end
    return None


def _undated(text: str) -> str:
    """`text` without its dates and the preposition before each: " that struck Haiti in August 2021?" -> " that struck Haiti?"."""
    return re.sub(rf"(?:\s+(?:in|on|of|during|since|from)\b)?\s*{WHEN.pattern}", "", text)


def _replaced_span(replacement: str, phrase: list[Word], preposition: str | None, latest: Parsed) -> tuple[int, int] | None:
    if WHEN.fullmatch(replacement):
        when = WHEN.search(latest.text)
        return when.span() if when else None
    if preposition is not None:
        return _prepositional_object(latest, preposition, phrase[0].name)
    if _POSSESSIVE_END.search(replacement):  # "And Quora's?": the owner of "Marriott's Starwood data breach"
        owner = next((r for r in referents_of(latest) if r.span and r.kind == "owner"), None)
        found = _OWNED.match(latest.text, owner.span[1]) if owner else None
        return (owner.span[0], found.end()) if found else None
    kinds = ("person", "name", "place") if kind_of(phrase) in ("person", "name") else ("person", "name", "thing", "organisation", "plural")
    match = next((r for r in referents_of(latest) if r.span and r.kind in kinds), None)
    if match is None and _GROUP.fullmatch(replacement):  # "And Democrats?" after "How many Republicans back it?"
        group = next((w for w in latest.words[1:] if _GROUP.fullmatch(w.text)), None)
        return (group.start, group.end) if group else None
    return match.span if match else None


def _prepositional_object(parse: Parsed, preposition: str, name: bool) -> tuple[int, int] | None:
    """ "Ohio" in "What was the unemployment rate in Ohio in May?" for "in", a name before any other phrase
    when a name replaces it ("in Syria" for "in Turkey", not "in the earthquake"); dates are left to `WHEN`."""
    words = parse.words
    spans = []
    for n, word in enumerate(words[:-1]):
        end = noun_phrase_end(words, n + 1) if word.lower == preposition else n + 1
        if end > n + 1 and not WHEN.fullmatch(parse.text[words[n + 1].start : words[end - 1].end]):
            spans.append((words[n + 1].name != name, (words[n + 1].start, words[end - 1].end)))
    return min(spans)[1] if spans else None


def _is_bare_wh(parse: Parsed) -> bool:
    """ "Why?", "How many?", "By how much?"."""
    words = parse.words
    if len(words) > 1 and words[0].lower in PLACE_PREPOSITIONS | {"by", "for", "since", "until", "with"}:
        words = words[1:]
    return bool(words) and words[0].lower in WH and all(w.lower in WH | WH_MODIFIERS for w in words)


def _bare_wh(parse: Parsed, before: Parsed) -> str | None:
    """ "When?" after "Which neighbourhoods did the army capture?": "When did the army capture the neighbourhoods?"."""
    if not _is_bare_wh(parse):
        return None
    asked = parse.text[parse.words[0].start : parse.words[-1].end]
    if parse.words[0].lower == "how" and parse.words[-1].lower in {"many", "much"}:
        nouns = wh_nouns(before)
        if not nouns or before.aux is None or before.subject is None or auxiliary(before.words[before.aux]) in BE:
            return None
        return f"{asked} {nouns} {_lower_first(before.text[before.words[before.aux].start :].rstrip())}"
    return _ask_again(asked, before)


def _is_which_is_that(parse: Parsed) -> bool:
    """ "Which Super Bowl is that?": "that" is a Super Bowl the conversation named."""
    words = parse.words
    return bool(wh_nouns(parse)) and parse.aux == parse.wh and len(words) == parse.wh + 2 and words[-1].lower in {"that", "this"}


def _which_is_that(body: str, parse: Parsed, latest: Parsed) -> str | None:
    """ "Which Super Bowl is that?" after "Who will perform at the Super Bowl halftime show?": "that" is
    the latest question's phrase that shares a word with "Super Bowl" and says more."""
    if not _is_which_is_that(parse):
        return None
    kind = set(lexical_terms(wh_nouns(parse)))
    named = next((r for r in referents_of(latest) if kind & set(lexical_terms(r.text)) and set(lexical_terms(r.text)) - kind), None)
    if named is None:
        return None
    last = parse.words[-1]
    return f"{body[: last.start]}{_inside(named.text)}{body[last.end :]}"


def _is_event_that(parse: Parsed) -> bool:
    """ "When was that?", "Why did this happen?": "that" stands for the previous question's event."""
    words, aux = parse.words, parse.aux
    if not parse.wh or words[0].lower not in {"when", "why", "where", "how"}:
        return False  # "Which Super Bowl is that?" asks what "that" is
    if aux is None or aux + 1 >= len(words) or words[aux + 1].lower not in {"that", "this"}:
        return False
    return all(w.lower in _EVENT_WORDS for w in words[aux + 2 :])


def _event_that(parse: Parsed, before: Parsed) -> str | None:
    if not _is_event_that(parse):
        return None
    return _ask_again(parse.text[parse.words[0].start : parse.words[parse.wh - 1].end], before)


def _is_said_that(parse: Parsed) -> bool:
    """ "Who said so?", "Who confirmed that?": "that" ends the question as what was said or done."""
    words = parse.words
    if len(words) < 2 or auxiliary(words[-2]) is not None or not is_verb_form(words[-2]):
        return False
    # "Who announced it?": what a speaker announces is what happened, not a thing
    return words[-1].lower in {"that", "this", "so"} or words[-1].lower == "it" and parse.aux is None and is_speech(words[-2])


def _said_that(body: str, parse: Parsed, before: Parsed) -> str | None:
    """ "Who said so?" after "Which neighbourhoods did the army capture?": "Who said that the army
    captured the neighbourhoods?"."""
    statement = _statement(before) if _is_said_that(parse) else None
    if statement is None:
        return None
    last = parse.words[-1]
    return f"{body[: last.start]}that {statement}{body[last.end :]}"


def _statement(before: Parsed) -> str | None:
    """The previous question stated: "Why did the Fed raise rates?" -> "the Fed raised rates"; None when
    what it asks for is what the statement would need ("What did Musk say?")."""
    words, aux, subject_end = before.words, before.aux, before.subject[1] if before.subject else 0
    nouns = wh_nouns(before)
    verb_at = _main_verb(before)
    if aux is None or not subject_end or verb_at is None:
        return None
    if words[0].lower in {"what", "which", "who", "whom"} and not nouns:
        return None
    verb = words[verb_at]
    subject = before.text[words[before.subject[0]].start : words[subject_end - 1].end]
    between = before.text[words[subject_end - 1].end : verb.start]  # " still "
    tense = {"did": _past(verb.lower), "does": _third_person(verb.lower), "do": verb.text}.get(words[aux].lower)
    said = f"{between}{tense}" if tense else f" {words[aux].lower}{between}{verb.text}"  # "Iran will keep"
    rest = before.text[verb.end :].rstrip(" ?.!")
    return f"{_inside(subject)}{said}{f' the {nouns}' if nouns else ''}{rest}"


def _past(base: str) -> str:
    if base in PAST:
        return PAST[base]
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2:-1] not in tuple("aeiou"):
        return base[:-1] + "ied"
    short = len(base) <= 4 and base[0] not in "aeiou" and base[-2] in "aeiou" and base[-1] not in "aeiouwxy"
    return base + base[-1] + "ed" if short and base[-3] not in "aeiou" else base + "ed"  # "stop" -> "stopped"


def _third_person(base: str) -> str:
    if base.endswith(("s", "sh", "ch", "x", "o")):
        return base + "es"
    return base[:-1] + "ies" if base.endswith("y") and base[-2:-1] not in tuple("aeiou") else base + "s"


def _ask_again(asked: str, before: Parsed) -> str | None:
    """The previous question asked again with another wh-phrase: "When" and "Which neighbourhoods did
    the army capture?" give "When did the army capture the neighbourhoods?"."""
    if before.aux is None:
        return _ask_again_passive(asked, before)
    if before.subject is None or auxiliary(before.words[before.aux]) in BE:
        return None
    words, nouns, verb = before.words, wh_nouns(before), _main_verb(before)
    rest = before.text[words[before.aux].start :].rstrip()
    if not nouns and words[-1].lower in _ELLIPSIS_PREPOSITIONS | {"about", "with", "of"}:
        rest = before.text[words[before.aux].start : words[-2].end] + "?"  # "What did it crash into?": "When did it crash?"
    elif verb is not None and (nouns or words[0].lower == "what" and verb == len(words) - 1):
        cut = words[verb].end - words[before.aux].start
        rest = f"{rest[:cut]} {f'the {nouns}' if nouns else 'it'}{rest[cut:]}"  # "When did Apple announce it?"
    elif verb is not None and words[0].lower == "what" and words[verb + 1].lower in _ELLIPSIS_PREPOSITIONS | {"about", "with", "of"}:
        cut = words[verb].end - words[before.aux].start
        rest = f"{rest[:cut]} that{rest[cut:]}"  # "What did the Fed do to rates?": "Why did the Fed do that to rates?"
    return f"{asked} {_lower_first(rest)}"  # "Did the Fed ...?" -> "did the Fed ...?"


def _main_verb(parse: Parsed) -> int | None:
    """The main verb, or the word after the subject and its adverbs ("do" in "What did the Fed do?",
    "building" in "Is Boeing still building ...?")."""
    if parse.verb is not None or parse.subject is None:
        return parse.verb
    after = next((n for n in range(parse.subject[1], len(parse.words)) if parse.words[n].lower not in ADVERBS), None)
    return after if after is not None and (is_verb_form(parse.words[after]) or parse.words[after].lower in DO) else None


def _ask_again_passive(asked: str, before: Parsed) -> str | None:
    """ "When" and "Who replaced Boris Johnson?" give "When was Boris Johnson replaced?"."""
    if not before.wh or before.verb is None or before.verb + 1 >= len(before.words):
        return None
    verb = before.words[before.verb]
    participle = PARTICIPLES.get(verb.lower) or (verb.lower if verb.lower in IRREGULAR_PAST or verb.lower.endswith("ed") else None)
    done_to = first_noun_phrase(before, before.verb + 1)
    if participle is None or done_to is None or done_to[1][0] != before.words[before.verb + 1].start:
        return None  # "What happened in Syria?": nothing was done to anything
    phrase = [w for w in before.words if done_to[1][0] <= w.start < done_to[1][1]]
    be = "were" if kind_of(phrase) == "plural" else "was"
    return f"{asked} {be} {_inside(done_to[0])} {participle}{before.text[done_to[1][1] :].rstrip()}"


def _outside_pronouns(parse: Parsed) -> list[int]:
    """Indexes of pronouns that point outside the question ("them" in "Who helped them?")."""
    words = parse.words
    found = []
    own_subject = subject_text(parse) is not None
    owners = _wh_owners(parse)
    for n, word in enumerate(words):
        if word.name or word.lower in owners:
            continue
        if word.lower == "there" and not _existential(words, n):
            found.append(n)
        elif own_subject and _object_position(words, n):
            found.append(n)  # "him" in "Does Putin agree with him?" cannot be Putin
        elif not own_subject and (word.lower in PERSONAL | POSSESSIVE or _demonstrative_pronoun(words, n)):
            found.append(n)
    return found


def _wh_owners(parse: Parsed) -> frozenset[str]:
    """The possessives that belong to the question's own wh-subject: "their" in "How many people have had to leave
    their homes?", "its" in "Which company lost its CEO?"."""
    noun = wh_nouns(parse).split()[-1:] if wh_is_subject(parse) else []
    if not noun:
        return frozenset()
    return frozenset({"their"} if is_plural(noun[0].lower()) else {"its"})


def _object_position(words: list[Word], n: int) -> bool:
    """ "them" in "Who helped them?"; not "it" in "Did it end?" or "it would stay", nor the event in "do it"."""
    lower = words[n].lower
    if lower in {"him", "them"}:
        return True
    if lower not in {"it", "her"} or n == 0 or auxiliary(words[n - 1]) or words[n - 1].lower in _EVENT_VERBS:
        return False
    following = words[n + 1] if n + 1 < len(words) else None
    return following is None or is_function(following) and auxiliary(following) is None


def _existential(words: list[Word], n: int) -> bool:
    """ "Is there ...", "there were ...": no place meant."""
    before = auxiliary(words[n - 1]) if n > 0 else None
    after = auxiliary(words[n + 1]) if n + 1 < len(words) else None
    return before in BE or after in BE


def _demonstrative_pronoun(words: list[Word], n: int) -> bool:
    """ "Why did that happen?" (a pronoun), not "that deal" (a determiner)."""
    if words[n].lower not in DEMONSTRATIVE:
        return False
    following = words[n + 1] if n + 1 < len(words) else None
    return following is None or is_function(following) or is_verb_form(following)


def _replace_anaphora(
    body: str, parse: Parsed, earlier: list[Parsed], people: frozenset[str], describe: bool, answered: str | None = None, answered_date: str | None = None
) -> str | None:
    """Outside pronouns take the phrases they agree with; failing any, the answer to an earlier "Who ...?"
    ("the person who won Italy's election"), then the owner in "X's Y". "that year" takes the date."""
    pronouns = [n for n in _outside_pronouns(parse) if parse.words[n].lower in _PRONOUN_CLASS or parse.words[n].lower == "there"]
    counted = _counted_part(parse, earlier)
    pronouns = [n for n in pronouns if not counted or n != counted[0]]
    winner = answered if describe and _answers_who(earlier) else None
    edits = _resolve_pronouns(parse, pronouns, earlier, people, None, winner) + ([counted[1]] if counted else [])
    if not edits and describe:
        edits = _answer_described(parse.words, pronouns, earlier, answered)
    if not edits:
        edits = _resolve_pronouns(parse, pronouns, earlier, people, _OWNERS)
    edits += _that_time_edit(parse, earlier, answered_date)
    for start, end, text in sorted(edits, reverse=True):
        body = body[:start] + text + body[end:]
    return body if edits else None


def _counted_part(parse: Parsed, earlier: list[Parsed]) -> tuple[int, tuple[int, int, str]] | None:
    """ "them" in "How many of them ...?" after "How many lawsuits ...?": the things the latest question counted
    (its index, and the edit to "the lawsuits")."""
    words = parse.words
    latest = earlier[0].words if earlier else []
    if len(latest) < 3 or latest[0].lower != "how" or latest[1].lower not in {"many", "much"}:
        return None
    noun = wh_nouns(earlier[0])
    for n in range(2, len(words)):
        if words[n].lower in {"them", "those"} and words[n - 1].lower == "of" and words[n - 2].lower in _PARTS and noun:
            return n, (words[n].start, words[n].end, f"the {noun}")
    return None


def _resolve_pronouns(
    parse: Parsed, pronouns: list[int], earlier: list[Parsed], people: frozenset[str], tiers, winner: str | None = None
) -> list[tuple[int, int, str]]:
    """Each pronoun takes what it agrees with (`_agreeing`); "he" and "she" choose first, being the most
    particular, and two kinds of pronoun never take the same phrase. A later pronoun of a kind already
    replaced ("he ... his") reads as referring back to it. "they" takes the `winner` the answer to the latest
    "Who ...?" named before any name or organisation: "Who is their coach?" after "Who won the Stanley Cup?"
    asks about the team that won it, not the cup; plural nouns come first ("the protesters")."""
    words = parse.words
    edits: list[tuple[int, int, str]] = []
    taken: dict[str, str] = {}
    place = next((p for p in map(place_phrase, earlier) if p), None)
    doer = _doer_and_done_to(parse, pronouns)
    for n in sorted(pronouns, key=lambda n: _PRONOUN_CLASS.get(words[n].lower) not in {"he", "she"}):
        word, kind = words[n], _PRONOUN_CLASS.get(words[n].lower)
        if kind is None or _after_place_preposition(words, n):
            if place:  # "there" -> "in Hajar al-Aswad"; "in them" -> "in Hajar al-Aswad"
                edits.append((word.start, word.end, place if kind is None else place.split(" ", 1)[1]))
            continue
        if kind in taken and not (doer and n == doer[1]) or word.lower == "it" and n - 1 != parse.aux and words[n - 1].lower in _EVENT_VERBS:
            continue  # the event in "Why did they do it?"
        if kind == "they" and winner:
            referent = _agreeing(words, n, kind, earlier, set(taken.values()), people, (("plural",),)) or winner
        elif kind == "they" and doer and n == doer[0]:
            referent = _earlier_doer(earlier) or _agreeing(words, n, kind, earlier, set(taken.values()), people, tiers or _AGREES[kind])
        else:
            referent = _agreeing(words, n, kind, earlier, set(taken.values()), people, tiers or _AGREES[kind])
        if referent is not None:
            edits.append(_pronoun_edit(words, n, referent))
            taken[kind] = referent
    return edits


def _doer_and_done_to(parse: Parsed, pronouns: list[int]) -> tuple[int, int] | None:
    """The subject pronoun and the object pronoun of a question that has both ("they" and "them" in "How will they fix
    them?"): two referents, never one (that one would be "themselves")."""
    words = parse.words
    subject = next((n for n in pronouns if words[n].lower in {"they", "he", "she"} and parse.aux is not None and n == parse.aux + 1), None)
    done_to = next((n for n in pronouns if subject is not None and n > subject + 1 and _object_position(words, n)), None)
    return (subject, done_to) if subject is not None and done_to is not None else None


def _earlier_doer(earlier: list[Parsed]) -> str | None:
    """Who did what the latest question that says someone did something asks about: "Toyota" of "How many SUVs is Toyota
    recalling ...?". "they" doing something to another pronoun's referent is who acts: "How will they fix them?"."""
    for question in earlier:
        if question.subject is None:
            continue
        first, end = question.subject
        span = (question.words[first].start, question.words[end - 1].end)
        found = next((r for r in referents_of(question) if r.span == span and r.kind in ("organisation", "name", "plural")), None)
        if found:
            return found.text
    return None


def _agreeing(words: list[Word], n: int, kind: str, earlier: list[Parsed], taken: set[str], people: frozenset[str], tiers) -> str | None:
    """The first phrase of the best kind for the pronoun, from the latest question that has one. A name
    the conversation introduced as someone's ("owner Elon Musk") is a person; a name that speaks ("What did
    Musk say about Twitter Blue?") is probably one, so "it" takes it only when no question has a thing."""
    for kinds in tiers:
        for question in earlier:
            referents = [_as_kind(r, people) for r in referents_of(question)]
            fitting = [r for r in referents if r.kind in kinds and r.text not in taken and _may_refer(words, n, r)]
            if kind == "it":
                fitting.sort(key=lambda r: r.speaker)
            if fitting:
                return fitting[0].text
    return None


def _as_kind(referent: Referent, people: frozenset[str]) -> Referent:
    if referent.kind != "name":
        return referent
    kind = "person" if set(referent.text.lower().split()) & people else "speaker" if referent.speaker else "name"
    return Referent(referent.text, referent.span, kind, referent.role, referent.speaker)


def _people(history: list[Turn]) -> frozenset[str]:
    """The words of names the conversation gives a title or role: "Twitter owner Elon Musk", "President
    Biden", "spokesman Bahram Ghasemi" -> elon, musk, biden, bahram, ghasemi."""
    found = set()
    for turn in history:
        for match in _ROLE_BEFORE_NAME.finditer(turn.content):
            if is_person_noun(tokens(match.group(1))[0]):
                found.update(name.lower() for name in match.group(2).split() if name.lower() not in function_words())
    return frozenset(found)


def _may_refer(words: list[Word], n: int, referent: Referent) -> bool:
    """What a "Who" question did something to ("the Syrian army" in "Who helped the Syrian army?") is not
    what "they" did the helping; "it" is not the unknown doer either, and may be what was done to: "How much will it
    cost?" after "Who gets the upgrade for free?"."""
    return referent.role == "subject" or _object_position(words, n) or words[n].lower in POSSESSIVE or words[n].lower == "it"


def _asks_who(question: Parsed) -> bool:
    """Whether `question` asks who did something ("Who won the World Series?"): its answer names them."""
    return bool(question.words) and question.words[0].lower == "who" and wh_is_subject(question) and not wh_nouns(question)


def _answers_who(earlier: list[Parsed]) -> bool:
    """Whether the latest question asks who did something (`_asks_who`)."""
    return bool(earlier) and _asks_who(earlier[0])


def _answer_described(words: list[Word], pronouns: list[int], earlier: list[Parsed], answered: str | None = None) -> list[tuple[int, int, str]]:
    """A pronoun that nothing named stands for the answer to the latest "Who ...?": "Why was he fired?"
    after "Who was fired from OpenAI?" asks about the name the answer gave (`answered`) when the
    question was the latest one, else "the person who was fired from OpenAI"."""
    asked = (q for q in earlier if _asks_who(q))
    latest = next(asked, None)
    if latest is None:
        return []
    for n in pronouns:
        kind = _PRONOUN_CLASS.get(words[n].lower)
        if kind in {"he", "she", "they"}:
            # "he" is no name after "the" ("the Carolinas"): that is a place, a thing or a team
            if answered and latest is earlier[0] and (kind == "they" or not answered.startswith("the ")):
                return [_pronoun_edit(words, n, answered)]
            described = f"{'those' if kind == 'they' else 'the person'} who {predicate_of(latest)}"
            return [_pronoun_edit(words, n, described)]
    return []


# A run of capitalised words in an answer: "Dustin Johnson", "the Houston Astros".
_NAME_RUN = re.compile(r"(?<![\w’'])[A-Z][\w’'.&-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w’'.&-]*)*")


def _latest_answer(history: list[Turn]) -> tuple[str, str] | None:
    """The latest question and its answer's first sentence; None after a refusal or without an answer."""
    if len(history) < 2 or history[-1].role != "assistant" or history[-2].role != "user":
        return None
    if history[-1].content.strip().startswith(NOT_FOUND):
        return None
    sentences = split_claims(history[-1].content)
    return (history[-2].content, sentences[0].text) if sentences else None


def _answered_name(latest: tuple[str, str] | None) -> str | None:
    """The first name the latest answer's first sentence gives that its question did not (`_latest_answer`): who
    answered "Who won the LIV Golf championship?" ("Dustin Johnson"); None after a refusal."""
    if latest is None:
        return None
    question, first = latest
    asked = {_bare(w) for w in re.findall(r"[\w’'-]+", question)}
    for match in _NAME_RUN.finditer(first):
        if match.start() == 0 and " " not in match.group(0):
            continue  # a sentence's first word is capitalised anyway: "Something", "Sunak"
        words = [w for w in match.group(0).split() if w.lower() not in function_words() and w.strip("(),").lower() not in NOT_NAMES]
        if words and not any(_bare(w) in asked for w in words):
            article = "the " if re.match(r"the\b", match.group(0), re.IGNORECASE) or first[: match.start()].lower().endswith("the ") else ""
            return article + re.sub(r"[’']s$", "", " ".join(words).rstrip(".,"))
    return None


def _answered_date(latest: tuple[str, str] | None) -> str | None:
    """The date the latest answer's first sentence gives to a "When ...?" question, not one the question gave
    (`_latest_answer`): "Dec. 13" for "When does her holiday menu start?"; None after a refusal."""
    if latest is None or answer_kind(asked_clause(latest[0])) != "date":
        return None
    question, first = latest
    return next((m.group(0) for m in WHEN.finditer(first) if m.group(0) not in question), None)


def _bare(word: str) -> str:
    return re.sub(r"[’']s$", "", word.strip(".,()")).lower()


def _that_time(parse: Parsed) -> int | None:
    """The index of "that" in "Who won it that year?"."""
    words = parse.words
    return next(
        (n for n in range(len(words) - 1) if words[n].lower in {"that", "this"} and words[n + 1].lower in {"year", "month", "day", "week"}),
        None,
    )


def _that_time_edit(parse: Parsed, earlier: list[Parsed], answered_date: str | None = None) -> list[tuple[int, int, str]]:
    """ "that year" -> "in 2019", the date the latest question asks about, else the date its answer gave
    ("What's free that day?" after "When does the menu start?": "on Dec. 13"), else an earlier question's."""
    n = _that_time(parse)
    asked = [m.group(0) for m in (WHEN.search(q.text) for q in earlier) if m]
    when = asked[0] if asked and WHEN.search(earlier[0].text) else answered_date or next(iter(asked), None)
    if n is None or when is None:
        return []
    words = parse.words
    if words[n + 1].lower == "year" and (year := YEAR.search(when)):
        when = year.group(0)  # "that year" after "in March 2018" is 2018
    preposition = n > 0 and words[n - 1].lower in _ELLIPSIS_PREPOSITIONS
    on = _A_DAY.search(when) and not _YEAR_IN.fullmatch(when)  # "on Dec. 13", "on Thursday"; "in 2019"
    return [(words[n].start, words[n + 1].end, when if preposition else f"{'on' if on else 'in'} {when}")]


def _after_place_preposition(words: list[Word], n: int) -> bool:
    return n > 0 and words[n - 1].lower in PLACE_PREPOSITIONS - {"to"} and words[n].lower in PERSONAL


def _pronoun_edit(words: list[Word], n: int, topic: str) -> tuple[int, int, str]:
    word = words[n]
    following = words[n + 1] if n + 1 < len(words) else None
    possessive = word.lower in POSSESSIVE and following is not None and not is_function(following)
    if word.lower == "her":
        possessive = possessive and not is_verb_form(following)
    if not possessive:
        return word.start, word.end, _inside(topic)
    after_noun = words[n + 2] if n + 2 < len(words) else None
    if after_noun is None or is_function(after_noun):
        return word.start, following.end, f"the {following.text} of {_inside(topic)}"  # "his name" -> "the name of ..."
    plural = topic.lower().startswith("the ") and topic.endswith("s") and not topic.endswith("ss")
    return word.start, word.end, f"{_inside(topic)}'{'' if plural else 's'}"  # "the Warriors' coach", "Musk's company"


def _inside(phrase: str) -> str:
    """A phrase placed mid-sentence: "The army" -> "the army"."""
    first = phrase.split(" ", 1)[0]
    return phrase[0].lower() + phrase[1:] if first.lower() in DETERMINERS else phrase


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
