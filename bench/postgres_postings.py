"""PostgreSQL's lexical search before and after its postings carried their chunk's length:
`BYLINE_DATABASE_URL=postgresql://… python -m bench.postgres_postings [QUESTIONS]`.

The database must hold a docstore already (e.g. bench/lexical.py's `--scale 100000` copied by
`python -m bench.shared_store --lexical-scale 100000`). Opening it with this code rebuilds older
postings (timed). Then, for each RealTime QA question, the search SQL of the commit before
(`git show OLD:index/lexical_postgres.py`) and today's, unfiltered and with a date filter, in
alternating order, 150 chunks each; the two must rank alike. Prints p50 and max in ms.
"""

import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

from index import offline as _offline  # noqa: F401
from index.lexical import postgres as new
from index.db import open_database
from index.docstore import DocStore
from index.lexical.terms import lexical_terms
from rag.evaluation.datasets import load_dataset
from bench.short_questions import realtimeqa_subset

ROOT = Path(__file__).resolve().parent.parent
OLD = "f75b693~1"  # the last commit whose postings lacked the chunk's length
DATE_FILTER = "t.date_ord <= ?"


def old_module() -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{OLD}:index/lexical_postgres.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("old_lexical_postgres")
    exec(compile(source, "old_lexical_postgres.py", "exec"), module.__dict__)
    return module


def main() -> None:
    questions = load_dataset(realtimeqa_subset()).questions[: int(sys.argv[1]) if len(sys.argv) > 1 else None]
    started = time.perf_counter()
    database = DocStore(open_database(os.environ["BYLINE_DATABASE_URL"], Path("unused"))).database
    print(f"opened, postings rebuilt where older: {time.perf_counter() - started:.1f} s", flush=True)
    database.script("ANALYZE")
    sql = {
        ("old", False): (old := old_module())._SEARCH.format(where=""),
        ("old", True): old._SEARCH.format(where=f"WHERE {DATE_FILTER}"),
        ("new", False): new._SEARCH.format(where=""),
        ("new", True): new._SEARCH.format(where=new._FILTERED.format(condition=DATE_FILTER)),
    }
    times = {key: [] for key in sql}
    differ = 0
    for i, question in enumerate(questions):
        terms = lexical_terms(question.question)
        found = {}
        for key in sorted(sql, reverse=bool(i % 2)):  # alternate which runs first
            params = (terms, 738900, 150) if key[1] else (terms, 150)
            started = time.perf_counter()
            found[key] = [row[0] for row in database.rows(sql[key], params)]
            times[key].append((time.perf_counter() - started) * 1000)
        differ += found[("old", False)] != found[("new", False)] or found[("old", True)] != found[("new", True)]
    for (label, filtered), values in sorted(times.items()):
        print(f"{label} {'date filter' if filtered else 'unfiltered'}: p50 {statistics.median(values):.0f} ms, max {max(values):.0f} ms")
    print(f"rankings that differ: {differ} of {len(questions)}")


if __name__ == "__main__":
    main()
