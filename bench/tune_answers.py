"""Tune the evidence weights and answer thresholds on the tune half of the archive sets, then
score the chosen setting on the check half: `python -m bench.tune_answers [--grid]`, then
`python -m bench.tune_answers --split check`.

Tried and left out: refusing when the lead sentence (or its passage) does not say what the question
asks happened ("won"): on the tune half it refused 0.79-0.97 of the unanswerable questions but also
0.12-0.32 of the answerable ones.

Retrieval runs once per question; each setting re-ranks the same hits (sentence embeddings are
cached), so a grid of settings costs seconds, not a rerun of bench/archive_answers.py.
"""

import argparse
import hashlib
import json
import pickle

from bench.archive_answers import Asked, dated, open_archive, print_failures, read_set, row, summarise
from rag import evidence as evidence_module
from rag.copies import fold_evidence
from rag.evaluation.datasets import cache_root
from rag.answerers.extractive import MIN_MATCH, ExtractiveAnswerer


def gather(service, split: str) -> list[tuple[Asked, list]]:
    """Each question with its retrieved chunks; kept in the cache between runs of the same questions."""
    key = hashlib.sha256(json.dumps([split, *(read_set(n) for n in ("plain", "unanswerable"))]).encode()).hexdigest()[:16]
    saved = cache_root() / "archive-extra" / f"hits-{key}.pickle"
    if saved.exists():
        return pickle.loads(saved.read_bytes())
    items = []
    for name in ("plain", "unanswerable"):
        for record in read_set(name):
            if split != "both" and record["split"] != split:
                continue
            date = record.get("question_date")
            hits = service.retriever.chunks(record["question"], service.settings.answer_chunks, dated(date))
            items.append((Asked(name, record["id"], record["split"], record["question"], record["question"], record["answers"], date), hits))
    saved.write_bytes(pickle.dumps(items))
    return items


def score(service, items, weights: dict, threshold: float, min_match: float, show: bool = False) -> dict:
    evidence_module.WEIGHTS.update(weights)
    answerer = ExtractiveAnswerer(threshold, service.settings.max_citations, min_match=min_match)
    rows = []
    for asked, hits in items:
        evidence = fold_evidence(service.ranker.rank(asked.query, hits, service.lexicon()), service.store.docs)
        rows.append(row(asked, answerer.answer(asked.query, evidence)))
    if show:
        print_failures(rows)
    return summarise(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="tune", choices=["tune", "check", "both"])
    parser.add_argument("--grid", action="store_true", help="search the weights and thresholds, one at a time")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    service = open_archive()
    items = gather(service, args.split)
    base = dict(evidence_module.WEIGHTS)
    current = {"threshold": service.settings.abstain_threshold, "min_match": MIN_MATCH, **{k: base[k] for k in STEPS if k in base}}

    def run(values: dict, show: bool = False) -> dict:
        weights = {k: v for k, v in values.items() if k in base}
        summary = score(service, items, {**base, **weights}, values["threshold"], values["min_match"], show)
        print(json.dumps({**values, **summary, "objective": round(objective(summary, args.split), 3)}), flush=True)
        return summary

    best = objective(run(current, args.show_failures), args.split)
    for _ in range(args.passes if args.grid else 0):
        for name, values in STEPS.items():
            for value in values:
                trial = {**current, name: value}
                if trial == current:
                    continue
                found = objective(run(trial), args.split)
                if found > best:
                    best, current = found, trial
    print("chosen:", json.dumps(current))


# The values each tuned parameter may take, tried one parameter at a time.
STEPS = {
    "lead": [0.0, 0.05, 0.1, 0.15],
    "background": [0.0, 0.05, 0.1, 0.2],
    "caption": [0.0, 0.1, 0.2, 0.3],
    "predicate": [0.0, 0.1, 0.2, 0.3],
    "answer_kind": [0.1, 0.2, 0.3],
    "min_match": [0.15, 0.2, 0.25, 0.3],
    "threshold": [0.4, 0.45, 0.5, 0.55],
}


def objective(summary: dict, split: str) -> float:
    """What the tuning maximises: right and led-right answers, refusals of what the archive lacks,
    and twice the penalty for each wrong refusal."""
    halves = ["tune", "check"] if split == "both" else [split]
    total = 0.0
    for half in halves:
        plain, none = summary.get(f"plain:{half}", {}), summary.get(f"unanswerable:{half}", {})
        total += plain.get("right", 0) + plain.get("lead", 0) + none.get("refused", 0) - 2 * plain.get("wrongly_refused", 0)
    return total


if __name__ == "__main__":
    main()
