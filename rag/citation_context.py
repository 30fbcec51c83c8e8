"""A cited sentence inside its surrounding passage, for showing citations in context."""

from bisect import bisect_left
from dataclasses import dataclass

from index.docstore import DocStore
from rag.schema import Citation


@dataclass
class CitationContext:
    citation: Citation
    before: str
    sentence: str
    after: str
    date: str | None
    source: str | None
    url: str | None


def citation_context(docs: DocStore, citation: Citation, sentences_around: int = 1) -> CitationContext | None:
    stored = docs.get(citation.doc_id)
    if stored is None or stored.article.text[citation.start : citation.end] != citation.sentence:
        return None  # deleted, or changed since it was cited
    text, spans = stored.article.text, stored.sentences
    index = min(bisect_left([s.start for s in spans], citation.start), len(spans) - 1)
    first = spans[max(index - sentences_around, 0)].start
    last = spans[min(index + sentences_around, len(spans) - 1)].end
    article = stored.article
    return CitationContext(
        citation=citation,
        before=text[first : citation.start],
        sentence=text[citation.start : citation.end],
        after=text[citation.end : max(last, citation.end)],
        date=article.date,
        source=article.source,
        url=article.url,
    )
