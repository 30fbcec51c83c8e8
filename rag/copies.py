"""Copies of one story (the copy groups of index/copies.py), folded into the one shown.

Search shows a story once, through its best-scoring article, and lists the others in `also_in`.
An answer's evidence keeps each sentence once per story: a sentence that copies share is kept
from the best-scoring one, and the copies that carry it are listed. A copy whose sentence differs
(a number corrected in one outlet) keeps its own sentence, so the disagreement is still seen.
"""

from typing import TYPE_CHECKING

from index.articles import Article
from index.docstore import DocStore
from rag.schema import AlsoIn

if TYPE_CHECKING:
    from rag.evidence import Evidence


def also_in(articles: list[Article]) -> list[AlsoIn]:
    return [AlsoIn(doc_id=a.doc_id, title=a.title, source=a.source, url=a.url) for a in articles]


def _flat(text: str) -> str:
    return " ".join(text.split())


def fold_evidence(evidence: list["Evidence"], docs: DocStore) -> list["Evidence"]:
    """`evidence` (best first) with each sentence once per story; each kept sentence of a story
    with copies lists, in `also_in`, the copies whose text holds it too."""
    groups = docs.copy_groups(sorted({e.doc_id for e in evidence}))
    if not groups:
        return evidence
    copies = docs.copies(sorted(groups))
    texts: dict[str, str] = {}

    def holds(doc_id: str, sentence: str) -> bool:
        if doc_id not in texts:
            texts[doc_id] = _flat(docs.text(doc_id) or "")
        return sentence in texts[doc_id]

    kept, seen = [], set()
    for item in evidence:
        group = groups.get(item.doc_id)
        if group is None:
            kept.append(item)
            continue
        sentence = _flat(item.sentence)
        if (group, sentence) in seen:
            continue  # a copy of a sentence kept from a better-scoring article, which lists this one
        seen.add((group, sentence))
        item.also_in = also_in([a for a in copies.get(item.doc_id, []) if holds(a.doc_id, sentence)])
        kept.append(item)
    return kept
