"""Run an evaluation: ingest (cached), ask every question, compute the metrics."""

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.evaluation.baseline import PlainLlamaIndex
from rag.evaluation.datasets import Dataset, Question, cache_root, load_dataset
from rag.evaluation.metrics import answer_share, contains_answer, mean, percentile, precision_recall_f1, reciprocal_rank, recall_at
from rag.schema import AskResult, Filters
from rag.service import Byline
from rag.settings import Settings

INLINE_ARTICLES = "inline-articles.jsonl"


@dataclass
class SystemScores:
    system: str
    retrieval_questions: int = 0
    recall_at_1: float = 0.0
    recall_at_5: float = 0.0
    recall_at_10: float = 0.0
    mrr_at_10: float = 0.0
    search_p50_ms: float = 0.0
    search_p95_ms: float = 0.0
    answer_questions: int | None = None
    answer_bearing_rate: float | None = None
    citations_per_answer: float | None = None
    citation_precision: float | None = None
    unanswerable_questions: int | None = None
    abstention_precision: float | None = None
    abstention_recall: float | None = None
    abstention_f1: float | None = None
    conflict_questions: int | None = None
    conflict_surfaced_rate: float | None = None
    ask_p50_ms: float | None = None
    ask_p95_ms: float | None = None
    answerer: str | None = None
    abstention_rate: float | None = None
    claims_per_answer: float | None = None
    claims_supported_share: float | None = None
    llm_fallback_rate: float | None = None


@dataclass
class EvalReport:
    dataset: str
    questions: int
    store: str
    k: int
    question_dates_used: bool = False
    systems: list[SystemScores] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def as_of(question: Question, use_dates: bool) -> Filters | None:
    return Filters(as_of=question.date) if use_dates and question.date else None


def score_retrieval(name: str, questions: list[Question], ranked_doc_ids, k: int) -> SystemScores:
    scores = SystemScores(system=name)
    rows, latencies = [], []
    for question in questions:
        if not question.gold_doc_ids:
            continue
        started = time.perf_counter()
        ranked = ranked_doc_ids(question, k)
        latencies.append((time.perf_counter() - started) * 1000)
        gold = set(question.gold_doc_ids)
        rows.append((recall_at(ranked, gold, 1), recall_at(ranked, gold, 5), recall_at(ranked, gold, 10), reciprocal_rank(ranked, gold, 10)))
    scores.retrieval_questions = len(rows)
    if rows:
        scores.recall_at_1, scores.recall_at_5, scores.recall_at_10, scores.mrr_at_10 = (round(mean(list(c)), 4) for c in zip(*rows))
    scores.search_p50_ms, scores.search_p95_ms = round(percentile(latencies, 50), 1), round(percentile(latencies, 95), 1)
    return scores


@dataclass
class AnswerTally:
    """What each answer did, summed into a system's answer metrics by `fill`."""

    bearing: list[bool] = field(default_factory=list)
    abstained: list[bool] = field(default_factory=list)
    unanswerable: list[bool] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)
    surfaced: list[bool] = field(default_factory=list)
    claims: list[int] = field(default_factory=list)
    supported_claims: list[int] = field(default_factory=list)
    fell_back: list[bool] = field(default_factory=list)

    def add(self, question: Question, result: AskResult) -> None:
        self.abstained.append(result.abstained)
        if not result.abstained:
            self.claims.append(len(result.claims))
            self.supported_claims.append(sum(c.supported for c in result.claims))
            self.fell_back.append(any("extractive answer instead" in w for w in result.warnings))
        self.unanswerable.append(question.unanswerable)
        cited = [c.sentence for c in result.citations]
        if question.answer_in_gold:
            self.bearing.append(not result.abstained and contains_answer(cited, question.answers))
            if cited:
                self.counts.append(len(cited))
                self.shares.append(answer_share(cited, question.answers))
        if question.conflicting_answers:
            self.surfaced.append(contains_answer(cited, question.answers) and contains_answer(cited, question.conflicting_answers))

    @property
    def answer_bearing_rate(self) -> float:
        return mean([float(b) for b in self.bearing])

    @property
    def citations_per_answer(self) -> float:
        return mean(self.counts)

    @property
    def citation_precision(self) -> float:
        return mean(self.shares)

    @property
    def abstention(self) -> tuple[float, float, float]:
        """Precision, recall and F1 of abstaining on the unanswerable questions."""
        return precision_recall_f1(self.abstained, self.unanswerable)

    def fill(self, scores: SystemScores) -> None:
        scores.answer_questions = len(self.bearing)
        scores.answer_bearing_rate = round(self.answer_bearing_rate, 4)
        if self.counts:
            scores.citations_per_answer, scores.citation_precision = round(self.citations_per_answer, 2), round(self.citation_precision, 4)
        if any(self.unanswerable):
            scores.unanswerable_questions = sum(self.unanswerable)
            scores.abstention_precision, scores.abstention_recall, scores.abstention_f1 = (round(x, 4) for x in self.abstention)
        scores.abstention_rate = round(mean([float(a) for a in self.abstained]), 4)
        if self.claims:
            scores.claims_per_answer = round(mean(self.claims), 2)
            scores.claims_supported_share = round(sum(self.supported_claims) / max(sum(self.claims), 1), 4)
            scores.llm_fallback_rate = round(mean([float(f) for f in self.fell_back]), 4)
        if self.surfaced:
            scores.conflict_questions = len(self.surfaced)
            scores.conflict_surfaced_rate = round(mean([float(s) for s in self.surfaced]), 4)


def score_answers(
    scores: SystemScores, service: Byline, questions: list[Question], use_dates: bool, details: list | None = None, limit: int | None = None
) -> None:
    tally, latencies = AnswerTally(), []
    asked = [q for q in questions if q.answer_in_gold or q.unanswerable]
    scores.answerer = service.settings.llm
    for question in asked[:limit]:
        started = time.perf_counter()
        result = service.ask(question.question, filters=as_of(question, use_dates), id=question.id)
        latencies.append((time.perf_counter() - started) * 1000)
        tally.add(question, result)
        if details is not None:
            details.append({"question": asdict(question), "result": result.model_dump()})
    tally.fill(scores)
    scores.ask_p50_ms, scores.ask_p95_ms = round(percentile(latencies, 50), 1), round(percentile(latencies, 95), 1)


def cached_store_path(dataset: Dataset, settings: Settings) -> Path:
    """Where `prepare_store` keeps `dataset`'s store when no store is named."""
    return cache_root() / f"{dataset.name}-{dataset.cache_key(settings)}"


def prepare_store(dataset: Dataset, settings: Settings, store: Path | None, progress=print) -> Byline:
    path = Path(store) if store else cached_store_path(dataset, settings)
    service = Byline(settings.model_copy(update={"store": path}))
    if dataset.inline_articles:
        (path / INLINE_ARTICLES).write_text("\n".join(json.dumps(a) for a in dataset.inline_articles))
    files = article_files(dataset, path)
    started, embedded = time.time(), 0

    def told(report, state) -> None:
        nonlocal embedded
        if report.added + report.updated > embedded:  # say nothing while only cached articles go by
            embedded = report.added + report.updated
            progress(f"ingest: {report.articles} articles, {embedded} embedded, {state.share_done():.0%} done ({time.time() - started:.0f} s)")

    report = service.ingest(files, told)
    progress(f"store {path}: {report.articles} articles, {report.added + report.updated} embedded now, {report.unchanged} cached")
    return service


def run_eval(
    folder: Path,
    k: int = 10,
    store: Path | None = None,
    baseline: bool = False,
    settings: Settings | None = None,
    progress=print,
    details: list | None = None,
    use_dates: bool = True,
    limit: int | None = None,
) -> EvalReport:
    """Evaluate on `folder`. With `use_dates`, each question's own date is its `as_of`."""
    settings = settings or Settings()
    dataset = load_dataset(folder)
    service = prepare_store(dataset, settings, store, progress)
    dated = use_dates and any(q.date for q in dataset.questions)
    report = EvalReport(dataset.name, len(dataset.questions), str(service.store.path), k, dated)

    def byline_search(mode: str, dates: bool = use_dates):
        return lambda q, top: [h.doc_id for h in service.retriever.documents(q.question, top, filters=as_of(q, dates), mode=mode)]

    main = score_retrieval("byline", dataset.questions, byline_search(settings.retrieval), k)
    progress("byline: retrieval scored; answering questions")
    score_answers(main, service, dataset.questions, use_dates, details, limit)
    report.systems.append(main)
    if baseline:
        for mode in ("dense", "bm25"):
            report.systems.append(score_retrieval(f"byline-{mode}-only", dataset.questions, byline_search(mode), k))
        if dated:  # the same systems without the question dates, as the plain baseline runs
            report.systems.append(score_retrieval("byline-no-as-of", dataset.questions, byline_search(settings.retrieval, False), k))
            report.systems.append(score_retrieval("bm25-no-as-of", dataset.questions, byline_search("bm25", False), k))
        plain = PlainLlamaIndex(service.store.path.with_name(service.store.path.name + "-plain"), settings)
        if not plain.built:
            from index.ingest import IngestReport, load_paths

            plain.build(load_paths(article_files(dataset, service.store.path), IngestReport()), progress)
        report.systems.append(score_retrieval(plain.name, dataset.questions, lambda q, top: plain.ranked_doc_ids(q.question, top), k))
    return report


def article_files(dataset: Dataset, store: Path) -> list[Path]:
    """The dataset's article files, plus the file its inline passages are written to in `store`."""
    return list(dataset.article_files) + ([store / INLINE_ARTICLES] if dataset.inline_articles else [])
