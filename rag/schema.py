"""The JSON contract of `search` and `ask` (CLI, REST API and UI all return these)."""

from pydantic import BaseModel, Field


class AlsoIn(BaseModel):
    """Another article that carries the same story: a copy in another outlet or at another address."""

    doc_id: str
    title: str
    source: str | None = None
    url: str | None = None


class SearchHit(BaseModel):
    rank: int
    doc_id: str
    title: str
    url: str | None = None
    score: float
    text: str
    # The other articles of this one's copy group (index/copies.py), shown once through this one.
    also_in: list[AlsoIn] = Field(default_factory=list)


class SearchResult(BaseModel):
    id: str | int | None = None
    query: str
    results: list[SearchHit]


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    sentence: str
    start: int
    end: int
    score: float
    # The copies of this article (same story, another outlet) that carry this sentence too.
    also_in: list[AlsoIn] = Field(default_factory=list)
    # When the article last changed (a correction re-ingested or re-synced; ISO 8601, UTC); null: never.
    updated: str | None = None


class Claim(BaseModel):
    """One sentence of the answer, checked against the sentences it cites."""

    text: str
    start: int  # offsets into `AskResult.answer`
    end: int
    citations: list[int] = Field(default_factory=list)  # the `n` of each citation that supports it
    supported: bool
    reason: str = ""  # why it is (or is not) supported


class AskResult(BaseModel):
    id: str | int | None = None
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    # The question as it was answered: a follow-up rewritten to stand on its own.
    standalone_question: str | None = None


class Filters(BaseModel):
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_ids: list[str] | None = None
    # Not a filter but a preference: favour articles published shortly before this date.
    as_of: str | None = None

    def is_empty(self) -> bool:
        return not (self.source or self.date_from or self.date_to or self.doc_ids)


class Turn(BaseModel):
    role: str
    content: str
