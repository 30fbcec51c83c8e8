"""Short, natural questions: does Byline answer them, and still refuse what the articles lack?

`python -m bench.short_questions` asks the questions in bench/questions/ and reports, for the
tune and check halves apart: answered-and-right (an expected fragment is in a cited
sentence), wrongly refused, and refused off-topic questions. It also reruns the guards the
answerer was tuned on before: RealTime QA dev's answer-bearing rate and SQuAD 2.0's
abstention. Results go to bench/results/short_questions.json and docs/benchmarks.md
(between the BENCH:short-questions markers).

Stores: the seed article; SQuAD 2.0's paragraphs; for RealTime QA, the 218 gold articles
plus the first DISTRACTORS_PER_QUESTION distractor pages retrieved for each question whose
answer is in a gold article (the full 3,786-document store takes ~45 minutes to build here).
Each is built once and cached under ~/.cache/byline/eval/.
"""

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from index import offline as _offline  # noqa: F401
from index.loaders.dates import iso_date
from rag.evaluation.datasets import cache_root, load_dataset
from rag.evaluation.metrics import contains_answer
from rag.evaluation.runner import AnswerTally, as_of, prepare_store
from rag.answerers.extractive import make_answerer
from rag.schema import Filters
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
QUESTIONS = ROOT / "bench" / "questions"
RESULTS = ROOT / "bench" / "results" / "short_questions.json"
# The same questions answered by the code before the short-question changes (see docs/benchmarks.md).
BEFORE = ROOT / "bench" / "results" / "short_questions-before.json"
DOC = ROOT / "docs" / "benchmarks.md"
SEEDS = ROOT / "seeds"
DISTRACTORS_PER_QUESTION = 3


def realtimeqa_subset() -> Path:
    """A dataset folder with the gold articles and a few distractors per answerable question."""
    source = EVAL / "realtimeqa"
    folder = cache_root() / "realtimeqa-gold-plus-distractors"
    folder.mkdir(parents=True, exist_ok=True)
    questions = [json.loads(line) for line in (source / "questions_dev.jsonl").read_text().splitlines() if line.strip()]
    wanted = {q["question_id"] for q in questions if q.get("answer_text_in_gold_docs")}
    taken: Counter = Counter()
    kept = []
    for line in (source / "gcs_distractor_articles.jsonl").read_text().splitlines():
        record = json.loads(line)
        owner = record.get("retrieved_for")
        if owner in wanted and taken[owner] < DISTRACTORS_PER_QUESTION:
            taken[owner] += 1
            kept.append(line)
    _write_if_changed(folder / "distractor_subset.jsonl", "\n".join(kept) + "\n")
    for name in ("gold_articles.jsonl", "questions_dev.jsonl"):
        _write_if_changed(folder / name, (source / name).read_text())
    return folder


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


@cache
def open_store(name: str):
    """The `Byline` service and dataset for "seed", "realtimeqa" or "squad2", built on first use."""
    settings = Settings()
    if name == "seed":
        from rag.service import Byline

        service = Byline(settings.model_copy(update={"store": cache_root() / "short-questions-seed"}))
        service.ingest([SEEDS])
        return service, None
    dataset = load_dataset(realtimeqa_subset() if name == "realtimeqa" else EVAL / name)
    return prepare_store(dataset, settings, None, progress=lambda m: print(m, file=sys.stderr)), dataset


@dataclass
class Item:
    id: str
    question: str
    group: str  # "seed", "realtimeqa" or "offtopic"
    store: str  # the store it is asked of
    split: str  # "tune" or "check"
    answers: list[str] = field(default_factory=list)  # empty: nothing in the store answers it
    date: str | None = None


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (QUESTIONS / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def load_items() -> list[Item]:
    """Our questions; RealTime QA answers and dates are looked up in the shared dev set."""
    dev = {r["question_id"]: r for r in map(json.loads, (EVAL / "realtimeqa" / "questions_dev.jsonl").read_text().splitlines())}
    items = [Item(r["id"], r["question"], "seed", "seed", r["split"], r["answers"]) for r in _records("seed")]
    for r in _records("realtimeqa"):
        source = dev[r["question_id"]]
        items.append(Item(r["id"], r["question"], "realtimeqa", "realtimeqa", r["split"], source["answer_text"], iso_date(source["question_date"])))
    for r in _records("offtopic"):
        items.extend(Item(r["id"], r["question"], "offtopic", store, r["split"]) for store in r["stores"])
    return items


def outcome(item: Item, result) -> str:
    """right / wrong / refused for answerable questions; refused / answered for off-topic ones."""
    if result.abstained:
        return "refused"
    if not item.answers:
        return "answered"
    return "right" if contains_answer([c.sentence for c in result.citations], item.answers) else "wrong"


def with_evidence(items: list[Item]) -> list[tuple[Item, list]]:
    """Each item with its ranked evidence, one store open at a time."""
    pairs = []
    for store in dict.fromkeys(i.store for i in items):
        service, _ = open_store(store)
        for item in (i for i in items if i.store == store):
            pairs.append((item, service.evidence(item.question, filters=Filters(as_of=item.date) if item.date else None)))
    return pairs


def guard_evidence() -> dict[str, list]:
    """Evidence for the original RealTime QA dev questions (answer in a gold article) and all of SQuAD."""
    found = {}
    for name in ("realtimeqa", "squad2"):
        service, dataset = open_store(name)
        questions = [q for q in dataset.questions if q.answer_in_gold or q.unanswerable]
        found[name] = [(q, service.evidence(q.question, filters=as_of(q, True))) for q in questions]
    return found


def score(answerer, pairs, guards) -> dict:
    rows = []
    for item, evidence in pairs:
        result = answerer.answer(item.question, evidence)
        rows.append({**asdict(item), "outcome": outcome(item, result), "answer": result.answer, "warnings": result.warnings})
    summary = {"rows": rows, "groups": summarise(rows)}
    for name, guard_pairs in guards.items():
        tally = AnswerTally()
        for question, evidence in guard_pairs:
            tally.add(question, answerer.answer(question.question, evidence))
        summary[name] = {
            "answer_bearing": round(tally.answer_bearing_rate, 4),
            "abstention_f1": round(tally.abstention[2], 4) if any(tally.unanswerable) else None,
        }
    return summary


def summarise(rows: list[dict]) -> dict:
    groups: dict[str, Counter] = {}
    for row in rows:
        key = f"{row['group']}:{row['store']}:{row['split']}" if row["group"] == "offtopic" else f"{row['group']}:{row['split']}"
        groups.setdefault(key, Counter())[row["outcome"]] += 1
    return {key: {"n": sum(c.values()), **{k: round(v / sum(c.values()), 3) for k, v in c.items()}} for key, c in sorted(groups.items())}


GROUP_NAMES = {
    "seed": "seed article",
    "realtimeqa": "RealTime QA, short versions",
    "offtopic:seed": "off-topic, seed store",
    "offtopic:realtimeqa": "off-topic, RealTime QA store",
}


def _cell(now: float, before: float | None) -> str:
    return f"{now:.3f}" if before is None else f"{before:.3f} → {now:.3f}"


def render(now: dict, before: dict | None = None) -> str:
    """Markdown tables of `now`, each value shown as "before → now" when `before` is given."""
    old = (before or {}).get("groups", {})
    answered = ["| questions | half | n | answered and right | answered, answer not cited | wrongly refused |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    refused = ["| off-topic questions | half | n | refused |", "| --- | --- | ---: | ---: |"]
    for key, s in now["groups"].items():
        name, split = key.rsplit(":", 1)
        was = (lambda outcome, key=key: old[key].get(outcome, 0.0)) if key in old else (lambda outcome: None)
        if name.startswith("offtopic"):
            refused.append(f"| {GROUP_NAMES[name]} | {split} | {s['n']} | {_cell(s.get('refused', 0.0), was('refused'))} |")
        else:
            cells = " | ".join(_cell(s.get(outcome, 0.0), was(outcome)) for outcome in ("right", "wrong", "refused"))
            answered.append(f"| {GROUP_NAMES[name]} | {split} | {s['n']} | {cells} |")
    lines = answered + [""] + refused
    if "realtimeqa" in now:
        guard = lambda name, field: _cell(now[name][field], (before or {}).get(name, {}).get(field))  # noqa: E731
        lines += [
            "",
            "| guard | measured |",
            "| --- | ---: |",
            f"| RealTime QA dev answer-bearing (104 questions; gold + distractor subset store) | {guard('realtimeqa', 'answer_bearing')} |",
            f"| SQuAD 2.0 answer-bearing | {guard('squad2', 'answer_bearing')} |",
            f"| SQuAD 2.0 abstention F1 | {guard('squad2', 'abstention_f1')} |",
        ]
    return "\n".join(lines)


def main(guards: bool, out: Path, doc: bool, before: Path) -> dict:
    pairs = with_evidence(load_items())
    summary = score(make_answerer(Settings()), pairs, guard_evidence() if guards else {})
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    table = render(summary, json.loads(before.read_text()) if before.exists() else None)
    print(table)
    if doc:
        from bench.run import update_doc

        update_doc({"short-questions": table})
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", nargs="*", help="only build these stores (seed, realtimeqa, squad2)")
    parser.add_argument("--no-guards", action="store_true", help="skip the RealTime QA dev and SQuAD guards")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON results go")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md as it is")
    parser.add_argument("--before", type=Path, default=BEFORE, help="earlier results to compare with, if the file exists")
    args = parser.parse_args()
    if args.build is not None:
        for store in args.build:
            open_store(store)
    else:
        main(not args.no_guards, args.out, not args.no_doc, args.before)
