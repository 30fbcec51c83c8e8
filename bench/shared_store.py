"""The shared store against the embedded one, on the same articles: `python -m bench.shared_store`.

With BYLINE_CHROMA_URL (a `chroma run` server) and BYLINE_DATABASE_URL (an empty PostgreSQL
database) set, it copies the cached RealTime QA subset store (495 documents, bench/lexical.py's)
into them as it is: the same vectors into the Chroma server, the same rows into PostgreSQL (whose
lexical index fills itself from them). Nothing is embedded again, so any difference comes from
the databases. Then it scores retrieval on both, hybrid and BM25 alone, with the questions'
dates (recall@k, MRR@10, search latency). Results: bench/results/shared_store.json and the
`shared-store` section of docs/benchmarks.md.
"""

import json
import os
import shutil
import sys
from pathlib import Path

from index import offline as _offline  # noqa: F401
from rag.evaluation.datasets import cache_root, load_dataset
from rag.evaluation.runner import as_of, prepare_store, score_retrieval
from rag.settings import Settings
from index.store_copy import DOCSTORE_TABLES, copy_rows, copy_store
from bench.doc_sections import replace_section
from bench.short_questions import realtimeqa_subset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "shared_store.json"


def lexical_scale(chunks: int, source: Path | None = None) -> dict:
    """Lexical search alone on a docstore of `chunks` chunks in SQLite (bench/lexical.py's `--scale` one, or the
    one at `source`, searched with its own index) and on a copy of it in PostgreSQL, searched with PostgreSQL's
    own index and with a server's tantivy mirror of it (built here, timed): each RealTime QA question, 150 chunks
    (as `documents(k=10)` asks). Also the share of each question's 10 best chunks both PostgreSQL paths find."""
    import statistics
    import tempfile
    import time

    from index.db import open_database
    from index.docstore import DocStore
    from index.lexical.terms import lexical_terms

    sqlite = DocStore(source or cache_root() / f"lexical-scale-{chunks}" / "articles.sqlite3")
    url = os.environ["BYLINE_DATABASE_URL"]
    postgres = DocStore(open_database(url, Path("unused"), "sqlite"))
    started = time.perf_counter()
    if not postgres.chunk_count():
        with postgres.lexical.filled_at_end():  # as copy-store fills it
            present = {
                table: columns for table, columns in DOCSTORE_TABLES.items() if sqlite.database.rows("SELECT 1 FROM sqlite_master WHERE name = ?", (table,))
            }
            copy_rows(sqlite.database, postgres.database, present, lambda *_: None)  # a bench store lacks the corrections' tables
    copied_s = time.perf_counter() - started
    assert postgres.chunk_count() == sqlite.chunk_count()
    started = time.perf_counter()
    mirrored = DocStore(open_database(url, Path(tempfile.mkdtemp()) / "articles.sqlite3", "tantivy"))
    result = {
        "chunks": sqlite.chunk_count(),
        "copy_s": round(copied_s),
        "mirror_build_s": round(time.perf_counter() - started, 1),
        "sqlite_index": type(sqlite.lexical).__name__,
    }
    questions = [lexical_terms(q.question) for q in load_dataset(realtimeqa_subset()).questions]
    for name, docs in (("sqlite", sqlite), ("postgres", postgres), ("postgres_mirror", mirrored)):
        times = []
        for terms in questions:
            started = time.perf_counter()
            docs.lexical_search(terms, 150)
            times.append((time.perf_counter() - started) * 1000)
        result[f"{name}_p50_ms"] = round(statistics.median(times), 1)
        result[f"{name}_p95_ms"] = round(sorted(times)[int(0.95 * len(times))], 1)
    shared = [len({c.node_id for c, _, _ in postgres.lexical_search(t, 10)} & {c.node_id for c, _, _ in mirrored.lexical_search(t, 10)}) for t in questions]
    result["top10_shared"] = round(statistics.mean(shared) / 10, 3)  # tantivy keeps chunk lengths in a byte: near-ties swap
    return result


def scores(service, questions, label: str) -> list[dict]:
    def ranked(mode: str):
        return lambda q, top: [h.doc_id for h in service.retriever.documents(q.question, top, filters=as_of(q, True), mode=mode)]

    keys = ("system", "recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "search_p50_ms", "search_p95_ms")
    found = [score_retrieval(f"{label} {mode}", questions, ranked(mode), 10) for mode in (service.settings.retrieval, "bm25")]
    return [{key: getattr(system, key) for key in keys} for system in found]


def main() -> None:
    if sys.argv[1:2] == ["--publish"]:  # the section again from bench/results/shared_store.json
        publish(json.loads(RESULTS.read_text()))
        return
    if sys.argv[1:2] == ["--lexical-scale"]:  # BYLINE_DATABASE_URL: an empty database; then optionally a docstore file
        print(json.dumps(lexical_scale(int(sys.argv[2]), Path(sys.argv[3]) if sys.argv[3:] else None), indent=2))
        return
    chroma_url, database_url = os.environ.get("BYLINE_CHROMA_URL"), os.environ.get("BYLINE_DATABASE_URL")
    if not (chroma_url and database_url):
        sys.exit("set BYLINE_CHROMA_URL and BYLINE_DATABASE_URL (an empty database): see docs/deploy.md")
    from rag.service import Byline

    folder = realtimeqa_subset()
    dataset = load_dataset(folder)
    embedded_settings = Settings(chroma_url="", database_url="")
    cached = cache_root() / f"{dataset.name}-{dataset.cache_key(embedded_settings)}"
    if not cached.is_dir():
        prepare_store(dataset, embedded_settings, None, progress=lambda m: print(m, file=sys.stderr))
    work = cache_root() / "shared-store"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached, work / "embedded")
    embedded = Byline(embedded_settings.model_copy(update={"store": work / "embedded"}))
    shared = Byline(Settings(store=work / "shared"))
    if shared.store.docs.count():
        sys.exit(f"{shared.store.docs.database.where} is not empty: give an empty database")
    if earlier := shared.store.vectors.ids():  # a Chroma server's earlier run
        shared.store.vectors.delete(earlier)
    copy_store(embedded.store, shared.store)
    assert shared.store.vectors.count() == embedded.store.vectors.count() and shared.count() == embedded.count()
    questions = dataset.questions
    result = {
        "corpus": f"RealTime QA dev subset: {embedded.count()} documents, {embedded.store.docs.chunk_count()} chunks",
        "systems": scores(embedded, questions, "embedded") + scores(shared, questions, "shared"),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    publish(result)


def publish(result: dict) -> None:
    """The `shared-store` section of docs/benchmarks.md, from a run's results."""
    rows = "\n".join(
        f"| {s['system']} | {s['recall_at_1']:.3f} | {s['recall_at_5']:.3f} | {s['recall_at_10']:.3f} | {s['mrr_at_10']:.3f} | {s['search_p50_ms']:.0f} | {s['search_p95_ms']:.0f} |"
        for s in result["systems"]
    )
    replace_section(
        "shared-store",
        "The shared store: PostgreSQL and a Chroma server",
        f"`python -m bench.shared_store` on {result['corpus']}, with the questions' dates: the cached embedded store"
        " (Chroma in the folder, SQLite) and the same vectors and rows copied into a Chroma server and PostgreSQL"
        " (both on this machine). Search latency is `documents(k=10)` per question, ms.\n\n"
        "| store, retrieval | recall@1 | recall@5 | recall@10 | MRR@10 | search p50 | p95 |\n| --- | --- | --- | --- | --- | --- | --- |\n"
        + rows
        + "\n\n"
        + verdict(result["systems"]),
    )


def verdict(systems: list[dict]) -> str:
    """Whether the shared store retrieves as the embedded one does, and what its lexical search costs."""
    metrics = ("recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10")
    gaps = max(abs(a[m] - b[m]) for a, b in zip(systems[:2], systems[2:]) for m in metrics)
    same = "the same as" if gaps == 0 else f"within {gaps:.4f} of"
    return (
        f"The shared store's retrieval is {same} the embedded store's, hybrid and BM25 alone: PostgreSQL's lexical"
        " index computes FTS5's bm25() (tests/test_shared_store.py compares the two rankings on the same chunks)."
        f" Its lexical search: p50 {systems[3]['search_p50_ms']:.0f} ms against {systems[1]['search_p50_ms']:.0f} in SQLite."
        " It adds a round trip to the server and scores every chunk holding a query term (SQLite's rarer-terms-first"
        " shortcut for stores of 20,000 chunks and more is not ported), which tells on large stores (below)."
    )


if __name__ == "__main__":
    main()
