"""One story once, measured on RealTime QA: copy groups, their precision, and retrieval before and after.

`python -m bench.duplicates`:

1. Groups the whole corpus (3,786 pages: the gold articles and the Google-search distractors) as
   ingest does (index/copies.py), without embedding anything: how many groups, their sizes.
2. Checks the threshold on held-apart pairs. The candidate pairs (word 5-gram Jaccard from 0.3 to
   0.99) carry hand verdicts in bench/results/duplicates_labels.json, by doc_id pair, no text:
   "copy" (one article: differences in headline, byline, boilerplate, links, trimming or a few
   sentences), "version" (the same article rewritten or updated with new paragraphs of news) or
   "different". The pairs are split in halves by a hash of the pair; the threshold is the one with
   the best F1 for "copy" on the tune half, and is measured on the check half.
3. Precision of the groups: one random pair from every group of two or more, read by hand (same file).
4. Retrieval recall@5 and MRR@10 with and without folding copies, on the cached RealTime QA subset
   store of bench/short_questions.py (the 218 gold articles plus 3 distractors per answerable question:
   495 documents; the full store takes ~45 minutes to build on 2 cores), and on that store plus the
   pages of the full corpus that are copies of its articles (which subsetting left out): strictly (the
   gold doc_id among the hits) and by story (a hit whose `also_in` holds the gold counts).

Results go to bench/results/duplicates.json and docs/benchmarks.md (between the BENCH:duplicates
markers). `--pairs` and `--sample` print the pairs still needing a verdict.
"""

import argparse
import hashlib
import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

from index import offline as _offline  # noqa: F401
from index.copies import THRESHOLD, CopyGrouper, jaccard, minhash, shingles
from index.ingest import IngestReport, load_paths
from rag.evaluation.datasets import load_dataset
from rag.evaluation.runner import as_of, score_retrieval

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
LABELS = ROOT / "bench" / "results" / "duplicates_labels.json"
RESULTS = ROOT / "bench" / "results" / "duplicates.json"
LABELLED_FROM, LABELLED_TO = 0.3, 0.99  # the candidate pairs that carry verdicts
GRID = [round(0.5 + 0.05 * i, 2) for i in range(10)]
SAMPLE_SEED = 12
MIN_SAMPLE = 30


def corpus() -> dict[str, str]:
    """Every RealTime QA article's body by doc_id, read by Byline's own loaders in ingest order."""
    dataset = load_dataset(EVAL / "realtimeqa")
    return {a.doc_id: a.text for a in load_paths(dataset.article_files, IngestReport())}


def group(texts: dict[str, str], threshold: float = THRESHOLD) -> dict[str, str]:
    grouper = CopyGrouper([], texts.get, threshold)
    return {doc_id: grouper.place(doc_id, text).group_id for doc_id, text in texts.items()}


def candidate_pairs(texts: dict[str, str]) -> dict[tuple[str, str], float]:
    """Pairs that LSH finds from a low threshold, with their exact Jaccard (LABELLED_FROM to LABELLED_TO)."""
    from datasketch import MinHashLSH

    found = {doc_id: shingles(text) for doc_id, text in texts.items()}
    lsh = MinHashLSH(threshold=LABELLED_FROM, num_perm=128)
    signatures = {doc_id: minhash(s) for doc_id, s in found.items()}
    for doc_id, signature in signatures.items():
        lsh.insert(doc_id, signature)
    pairs = {}
    for a, signature in signatures.items():
        for b in lsh.query(signature):
            if a < b and LABELLED_FROM <= (similarity := jaccard(found[a], found[b])) < LABELLED_TO:
                pairs[(a, b)] = similarity
    return pairs


def verdicts() -> dict[tuple[str, str], dict]:
    return {tuple(sorted(v["pair"])): v for v in json.loads(LABELS.read_text())["verdicts"]}


def half(pair: tuple[str, str]) -> str:
    return "tune" if hashlib.sha1("|".join(pair).encode()).digest()[0] % 2 == 0 else "check"


def scores(rows: list[tuple[float, bool]], threshold: float) -> dict:
    predicted = [similarity >= threshold for similarity, _ in rows]
    actual = [same for _, same in rows]
    tp = sum(p and a for p, a in zip(predicted, actual))
    precision = tp / sum(predicted) if any(predicted) else 1.0
    recall = tp / sum(actual) if any(actual) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(rows), "copies": sum(actual), "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def calibrate(texts: dict[str, str], labels: dict) -> dict:
    """Each half's best threshold (F1 for "copy"; the higher one on a tie) measured on the other half,
    and the threshold in code measured on both."""
    rows: dict[str, list[tuple[float, bool]]] = {"tune": [], "check": []}
    for pair, verdict in labels.items():
        similarity = jaccard(shingles(texts[pair[0]]), shingles(texts[pair[1]]))
        if LABELLED_FROM <= similarity < LABELLED_TO:
            rows[half(pair)].append((similarity, verdict["verdict"] == "copy"))
    folds = []
    for tune, check in (("tune", "check"), ("check", "tune")):
        chosen = max(GRID, key=lambda t: (scores(rows[tune], t)["f1"], t))
        folds.append({"chosen_on": tune, "threshold": chosen, "there": scores(rows[tune], chosen), "measured_on": check, **scores(rows[check], chosen)})
    both = rows["tune"] + rows["check"]
    return {
        "folds": folds,
        "in_code": {
            "threshold": THRESHOLD,
            "tune": scores(rows["tune"], THRESHOLD),
            "check": scores(rows["check"], THRESHOLD),
            "both": scores(both, THRESHOLD),
        },
        "grid": {str(t): {h: scores(rows[h], t) for h in rows} for t in GRID},
    }


def sample_pairs(groups: dict[str, str]) -> list[tuple[str, str]]:
    """One random pair from each group of two or more; more from the largest groups up to MIN_SAMPLE."""
    members: dict[str, list[str]] = {}
    for doc_id, group_id in groups.items():
        members.setdefault(group_id, []).append(doc_id)
    big = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: (-len(m), m[0]))
    chance = random.Random(SAMPLE_SEED)
    picked = [tuple(sorted(chance.sample(m, 2))) for m in big]
    while len(set(picked)) < MIN_SAMPLE and big and len(big[0]) > 2:
        picked.append(tuple(sorted(chance.sample(big[0], 2))))
    return list(dict.fromkeys(picked))


def precision(sample: list[tuple[str, str]], labels: dict) -> dict:
    found = [labels[p]["verdict"] for p in sample if p in labels]
    counts = Counter(found)
    return {
        "pairs": len(sample),
        "checked": len(found),
        "verdicts": dict(counts),
        # Identical boilerplate pages hold the same text: grouping them is right, though they tell no story.
        "precision_copies": round((counts["copy"] + counts["boilerplate"]) / len(found), 3) if found else None,
        "precision_copies_or_versions": round((len(found) - counts["different"]) / len(found), 3) if found else None,
        "unchecked": [list(p) for p in sample if p not in labels],
    }


def group_sizes(groups: dict[str, str]) -> dict:
    sizes = Counter(Counter(groups.values()).values())
    return {
        "articles": len(groups),
        "groups": len(set(groups.values())),
        "groups_with_copies": sum(n for size, n in sizes.items() if size > 1),
        "articles_in_them": sum(size * n for size, n in sizes.items() if size > 1),
        "sizes": {str(size): n for size, n in sorted(sizes.items())},
    }


def with_copies(groups: dict[str, str]):
    """The subset store plus the pages of the full corpus that are copies of its articles (which the
    subset left out), and its dataset. Grown from a copy of the cached subset store: only they are embedded."""
    from bench.short_questions import open_store, realtimeqa_subset
    from rag.evaluation.datasets import cache_root
    from rag.evaluation.runner import prepare_store

    subset_service, _ = open_store("realtimeqa")
    held = set(subset_service.store.docs.hashes())
    sizes = Counter(groups.values())
    wanted = {groups[d] for d in held if sizes[groups[d]] > 1}
    extra = {d for d, g in groups.items() if g in wanted and d not in held}
    folder = cache_root() / "realtimeqa-subset-with-copies"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("distractor_subset.jsonl", "gold_articles.jsonl", "questions_dev.jsonl"):
        shutil.copyfile(realtimeqa_subset() / name, folder / name)
    lines = [line for line in (EVAL / "realtimeqa" / "gcs_distractor_articles.jsonl").read_text().splitlines() if line.strip()]
    (folder / "copies.jsonl").write_text("\n".join(line for line in lines if json.loads(line)["doc_id"] in extra) + "\n")
    store = cache_root() / "realtimeqa-subset-with-copies-store"
    if not store.exists():
        shutil.copytree(subset_service.store.path, store)
    dataset = load_dataset(folder)
    return prepare_store(dataset, subset_service.settings, store, progress=lambda m: print(m, file=sys.stderr)), dataset


def retrieval(service, dataset, k: int = 10) -> dict:
    """Recall and MRR with copies folded or not; and the gold articles that a better-scoring copy shows."""
    questions = dataset.questions

    def documents(fold: bool):
        return lambda q, top: [h.doc_id for h in service.retriever.documents(q.question, top, filters=as_of(q, True), fold_copies=fold)]

    def by_story(q, top):
        gold = set(q.gold_doc_ids)
        hits = service.search(q.question, k=top, filters=as_of(q, True)).results
        return [next(iter(gold & {h.doc_id, *(a.doc_id for a in h.also_in)}), h.doc_id) for h in hits]

    systems = {
        "before: copies not folded": score_retrieval("before", questions, documents(False), k),
        "after: the gold doc_id among the hits": score_retrieval("after", questions, documents(True), k),
        "after: the gold among the hits or their also_in": score_retrieval("after-story", questions, by_story, k),
    }
    behind, none_shown = 0, 0
    for q in (q for q in questions if q.gold_doc_ids):
        hits = service.search(q.question, k=k, filters=as_of(q, True)).results
        gold, shown = set(q.gold_doc_ids), {h.doc_id for h in hits}
        folded = {a.doc_id for h in hits for a in h.also_in} - shown
        behind += bool(gold & folded)
        none_shown += bool(gold & folded and not gold & shown)
    store_groups = dict(service.store.docs._rows("SELECT doc_id, group_id FROM copy_groups"))
    return {
        "store": str(service.store.path),
        "store_groups": group_sizes(store_groups),
        "questions": systems["before: copies not folded"].retrieval_questions,
        "gold_behind_a_copy_in_top_10": behind,
        "no_gold_shown_but_one_behind_a_copy": none_shown,
        "systems": {
            name: {m: getattr(s, m) for m in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "search_p50_ms")} for name, s in systems.items()
        },
    }


def render(result: dict) -> str:
    full, cal, prec = result["corpus"], result["threshold"], result["precision"]
    lines = [
        f"| RealTime QA corpus ({full['articles']:,} pages) | |",
        "| --- | ---: |",
        f"| copy groups | {full['groups']:,} |",
        f"| groups with copies (2 or more pages) | {full['groups_with_copies']} |",
        f"| pages in them | {full['articles_in_them']} |",
        f"| group sizes (size: groups) | {', '.join(f'{s}: {n}' for s, n in full['sizes'].items() if s != '1')} |",
        "",
        "| threshold (word 5-gram Jaccard) | chosen on (best F1 there) | measured on | pairs | copies | precision | recall | F1 |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fold in cal["folds"]:
        lines.append(
            f"| {fold['threshold']} | {fold['chosen_on']} half (F1 {fold['there']['f1']}) | {fold['measured_on']} half"
            f" | {fold['pairs']} | {fold['copies']} | {fold['precision']} | {fold['recall']} | {fold['f1']} |"
        )
    code = cal["in_code"]
    for name in ("tune", "check", "both"):
        s = code[name]
        where = "both halves" if name == "both" else f"{name} half"
        lines.append(f"| **{code['threshold']}** (Byline) | | {where} | {s['pairs']} | {s['copies']} | {s['precision']} | {s['recall']} | {s['f1']} |")
    lines += [
        "",
        f"Precision of the groups: {prec['checked']} pairs read by hand (one random pair from each group with copies"
        f"{', more from the largest' if prec['pairs'] > full['groups_with_copies'] else ''}): "
        + ", ".join(f"{n} {v}" for v, n in sorted(prec["verdicts"].items()))
        + f"; precision {prec['precision_copies']} counting copies (and identical boilerplate pages) as right,"
        f" {prec['precision_copies_or_versions']} counting versions as right too.",
    ]
    for name, title in (("subset", "the subset store"), ("with_copies", "the subset store plus the copies of its articles")):
        r = result.get("retrieval", {}).get(name)
        if r is None:
            continue
        g = r["store_groups"]
        lines += [
            "",
            f"| {title}: {g['articles']} documents, {g['groups_with_copies']} groups with copies ({g['articles_in_them']} documents); {r['questions']} questions | recall@1 | recall@5 | recall@10 | MRR@10 |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for system, m in r["systems"].items():
            lines.append(f"| {system} | {m['recall_at_1']:.3f} | {m['recall_at_5']:.3f} | {m['recall_at_10']:.3f} | {m['mrr_at_10']:.3f} |")
        lines += [
            "",
            f"Questions with a gold article shown only in a better-scoring copy's also_in (top 10): {r['gold_behind_a_copy_in_top_10']}"
            f" ({r['no_gold_shown_but_one_behind_a_copy']} with no gold article among the hits themselves).",
        ]
    return "\n".join(lines)


def main(with_retrieval: bool, doc: bool) -> dict:
    texts = corpus()
    labels = verdicts()
    groups = group(texts)
    sample = sample_pairs(groups)
    result = {"corpus": group_sizes(groups), "threshold": calibrate(texts, labels), "precision": precision(sample, labels)}
    if result["precision"]["unchecked"]:
        print(f"{len(result['precision']['unchecked'])} sampled pairs need a verdict: run with --sample", file=sys.stderr)
    if with_retrieval:
        from bench.short_questions import open_store

        result["retrieval"] = {"subset": retrieval(*open_store("realtimeqa")), "with_copies": retrieval(*with_copies(groups))}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    table = render(result)
    print(table)
    if doc:
        from bench.run import update_doc

        update_doc({"duplicates": table})
    return result


def show(pairs: list[tuple[str, str]], texts: dict[str, str]) -> None:
    from rag.evaluation.datasets import load_dataset as load

    urls = {}
    for path in load(EVAL / "realtimeqa").article_files:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            urls[record["doc_id"]] = record.get("url")
    for a, b in pairs:
        print(f"{jaccard(shingles(texts[a]), shingles(texts[b])):.3f} {a} {b}\n    {urls.get(a)}\n    {urls.get(b)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", action="store_true", help="print the candidate pairs that have no verdict yet")
    parser.add_argument("--sample", action="store_true", help="print the sampled pairs that have no verdict yet")
    parser.add_argument("--no-retrieval", action="store_true", help="skip the retrieval measurement (no store needed)")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md as it is")
    args = parser.parse_args()
    if args.pairs or args.sample:
        texts, labels = corpus(), verdicts()
        wanted = sorted(candidate_pairs(texts)) if args.pairs else sample_pairs(group(texts))
        show([p for p in wanted if p not in labels], texts)
    else:
        main(not args.no_retrieval, not args.no_doc)
