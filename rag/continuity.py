"""A follow-up stays with the story its conversation is about.

"How much is the deal worth?" after a question about a merger is answered best from the articles
that answered that question, though its own words may match another deal better. A question asked
after another is taken to follow it when it refers back (a pronoun, an ellipsis, "that") or names
nothing those articles do not mention; then the best articles for the previous question, made
stand-alone, are searched for it too, and their sentences get a fixed bonus in the evidence ranking.
When the previous question stayed with a story itself, that story's articles come first: a conversation
keeps its story until a question names what the story does not mention, and starts afresh. When the previous
answer quoted articles, those are the story (with the one before): what the reader was shown, not the rest of
what its search found.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.conversation import refers_back
from rag.focus import question_focus
from rag.question_reading import names_a_person
from rag.term_weights import topic_terms
from rag.schema import Filters
from rag.retrievers.hybrid import ChunkHit

if TYPE_CHECKING:
    from index.docstore import DocStore
    from rag.evidence import Evidence
    from rag.retrievers.hybrid import Retriever

# The previous question's best articles that a follow-up stays with.
STORY_ARTICLES = 3
# Chunks searched within the story, as a multiple of a question's own: a follow-up's words match its story's answer
# less well than a question asked alone. Archive tune half at 1 / 2 / 3: follow-ups right 141 / 142 / 142 of 175 (check
# 112 / 112 at 1 / 2).
STORY_DEPTH = 2
# Evidence score added to their sentences. Archive conversations (bench.archive_answers), follow-ups right on
# the tune half at 0 / 0.1 / 0.2 / 0.3: 0.857 / 0.857 / 0.886 / 0.886 (check half: 0.848 / 0.879 / 0.879 / 0.879).
# Again once 24 sentences were weighed (EMBED_LIMIT) and the story searched twice as deep, on the grown halves, at
# 0.2 / 0.3 / 0.4: tune 142 / 143 / 142 of 175 (0.4 gained two and lost two); check at 0.3: 112 -> 114 of 168.
STORY_WEIGHT = 0.3
# An answer's quoted sentences: the text before each citation marker; shorter pieces are not looked for.
_CITED = re.compile(r"(?:^|\]\s*)([^\[\]]+?)\s*\[\d+\]")
MIN_QUOTED = 20
# ... to the sentences of a follow-up that names nothing and was not rewritten (`story_weight`). Archive tune half at
# 0.5 and 1.0: one follow-up wrong -> refused, nothing else moved; check half follow-ups 0.617 -> 0.650 at 0.5.
NAMELESS_WEIGHT = 0.5
# ... times the similarity of each sentence to a rewritten follow-up as typed (`as_typed`). Archive tune half at
# 0.4 / 0.6 / 0.8 / 1.0: follow-ups right 0.836 -> 0.851 / 0.866 / 0.866 / 0.866, lead 0.618 -> 0.727 at 0.6 (1.0 lost
# one lead); the 12 conversations of batch z, written after the weight was chosen: 19 -> 21 of 36 follow-ups right,
# 14 -> 16 of 27 led; the check half unchanged (0.650, lead 0.52).
TYPED_WEIGHT = 0.6


class RecentSearches:
    """The articles each recent search found, best first, by what it searched: a follow-up's previous question
    was usually searched for on the turn before, by this process."""

    def __init__(self, size: int = 256):
        self._found: OrderedDict[tuple, list[str]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def remember(self, key: tuple, hits: list[ChunkHit]) -> None:
        with self._lock:
            self._found[key] = list(dict.fromkeys(hit.doc_id for hit in hits))
            self._found.move_to_end(key)
            while len(self._found) > self._size:
                self._found.popitem(last=False)

    def get(self, key: tuple) -> list[str] | None:
        with self._lock:
            return self._found.get(key)


def quoted(answer: str | None) -> list[str]:
    """The sentences an extractive answer quotes (each one's text before its "[n]" marker), spaces folded: as quoted,
    not as `rag.claims.split_claims` re-reads them (it re-splits sentences and tidies their spacing)."""
    pieces = [" ".join(piece.split()) for piece in _CITED.findall(answer or "")]
    return [piece for piece in pieces if len(piece) >= MIN_QUOTED]


def shown(docs: "DocStore", answer: str | None, candidates: list[str]) -> list[str]:
    """Those of `candidates` that hold a sentence `answer` quotes: what the reader was shown."""
    pieces = quoted(answer)
    if not pieces:
        return []
    texts = {doc_id: " ".join((docs.text(doc_id) or "").split()) for doc_id in candidates}
    return [doc_id for doc_id in candidates if any(piece in texts[doc_id] for piece in pieces)]


def story_articles(docs: "DocStore", question: str, candidates: list[str]) -> list[str]:
    """The first `STORY_ARTICLES` of `candidates` (the previous question's articles, best first), when
    `question` follows it; else none. (In a store of a few articles that is all of them, and the bonus
    changes nothing: keeping only those that scored near the best lost two follow-ups of the tune half.)"""
    story = candidates[:STORY_ARTICLES]
    if refers_back(question):
        return story
    texts = [" ".join((docs.text(doc_id) or "").split()) for doc_id in story]
    named = question_focus(question).names
    return story if all(any(name in text for text in texts) for name in named) else []


def story_hits(retriever: "Retriever", query: str, story: list[str], filters: Filters | None, top_k: int, vector) -> list[ChunkHit]:
    """The follow-up's best chunks within the story's articles (the filters' dates and source still hold), `STORY_DEPTH`
    times as many as a question's own search."""
    within = (filters or Filters()).model_copy(update={"doc_ids": story})
    return retriever.chunks(query, STORY_DEPTH * top_k, within, vector=vector)


def merged(hits: list[ChunkHit], extra: list[ChunkHit]) -> list[ChunkHit]:
    """`hits` and then the chunks of `extra` they lack, scored below every hit: they are there to be
    read, not because the search preferred them."""
    have = {hit.node_id for hit in hits}
    extra = [hit for hit in extra if hit.node_id not in have]
    if not hits or not extra:
        return hits + extra
    floor = min(hit.score for hit in hits)
    top = max(hit.score for hit in extra) or 1.0
    return hits + [replace(hit, score=floor * hit.score / top) for hit in extra]


def story_weight(question: str, query: str) -> float:
    """How much a follow-up's story counts: more when the question names nothing and was not rewritten ("How much
    will a seat cost?" after a question about a space flight): then only the story tells what it is about."""
    if question.strip() == query.strip() and not question_focus(question):
        return NAMELESS_WEIGHT
    return STORY_WEIGHT


def typed_apart(question: str, query: str) -> bool:
    """Whether a follow-up was rewritten and its own words still ask something ("Who hosted it?"; not "When was
    that?", whose words are all the rewrite's)."""
    return question.strip() != query.strip() and bool(topic_terms(question))


def as_typed(evidence: list["Evidence"], similarities, weight: float = TYPED_WEIGHT) -> list["Evidence"]:
    """`evidence` with `weight` times each sentence's similarity to the follow-up as the reader typed it added to its
    score, as the story's part: the subject the rewrite brought in ("the 2021 Golden Globes" of "Who hosted it?") is
    shared by every sentence of the story; the typed words ("hosted") tell which one answers."""
    for item, similarity in zip(evidence, similarities):
        item.score += weight * float(similarity)
        item.story += weight * float(similarity)
    return sorted(evidence, key=lambda e: e.score, reverse=True)


def brought_in(question: str, query: str) -> tuple[str, ...]:
    """The names a follow-up's rewrite brought in: "Kentucky's Senate Bill 2" of "Who has to sign Kentucky's Senate Bill
    2?" for "Who has to sign it?"; not those describing someone by a role ("the name of Iran's Foreign Ministry
    spokesman" asks about the spokesman, whom the sentence must speak of)."""
    if question.strip() == query.strip():
        return ()
    typed = set(question_focus(question).names)
    return tuple(name for name in question_focus(query).names if name not in typed and not _describes_role(name, query))


def _describes_role(name: str, query: str) -> bool:
    """Whether `name` is part of a description of someone by role in `query`: "Iran's Foreign Ministry spokesman"."""
    after = re.search(rf"{re.escape(name)}(?:[’']s)?((?:\s+[\w’'-]+){{1,3}})", query)
    return after is not None and any(names_a_person(word.lower()) for word in after.group(1).split())


def favour(evidence: list["Evidence"], story: list[str], weight: float = STORY_WEIGHT) -> list["Evidence"]:
    """`evidence` re-sorted with `weight` added to the score of each sentence from the story's articles."""
    if not story or not weight:
        return evidence
    chosen = set(story)
    for item in evidence:
        if item.doc_id in chosen:
            item.score += weight
            item.story += weight
    return sorted(evidence, key=lambda e: e.score, reverse=True)
