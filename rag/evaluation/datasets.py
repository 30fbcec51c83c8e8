"""Evaluation folders: article JSONL files plus a questions JSONL file.

Layout (as `../shared/eval/realtimeqa/`): a `*.jsonl` file whose records have a
`question`, `question_sentence` or `query` field holds questions; every other
`*.jsonl`/`*.json` file holds articles. SQuAD-style questions (with a `context`) and
RGB-style ones (with `positive`/`positive_wrong`/`negative` passages) bring their own
passages, which become the articles.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from index.loaders.dates import iso_date
from index.settings import IndexSettings


@dataclass
class Question:
    id: str
    question: str
    gold_doc_ids: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    answer_in_gold: bool = False
    unanswerable: bool = False
    date: str | None = None  # when the question was asked (ISO)
    # RGB-style sets: what counterfactual sources claim instead of the answer.
    conflicting_answers: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    name: str
    article_files: list[Path]
    questions: list[Question]
    # SQuAD-style sets carry their articles inside the questions file.
    inline_articles: list[dict] = field(default_factory=list)

    def cache_key(self, settings: IndexSettings) -> str:
        from index.migrations import KEY as FORMAT_VERSION
        from index.store import Store

        # Not the store format: opening a cached store of an older format upgrades it (index/migrations.py).
        manifest = {k: v for k, v in Store.manifest_for(settings).items() if k != FORMAT_VERSION}
        parts = {
            "files": [(f.name, f.stat().st_size) for f in self.article_files],
            "inline": hashlib.sha256(json.dumps(self.inline_articles, sort_keys=True).encode()).hexdigest(),
            "settings": manifest,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("BYLINE_EVAL_CACHE", Path.home() / ".cache" / "byline" / "eval"))


def load_dataset(folder: Path) -> Dataset:
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".jsonl", ".json"))
    question_files = [p for p in files if _holds_questions(p)]
    if not question_files:
        raise ValueError(f"{folder}: no questions file (JSONL records with a 'question' field)")
    article_files = [p for p in files if p not in question_files]
    questions: list[Question] = []
    inline: dict[str, dict] = {}
    for path in question_files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                questions.append(_question(json.loads(line), inline, f"{path.name} line {number}"))
    return Dataset(folder.name, article_files, questions, list(inline.values()))


QUESTION_FIELDS = ("question", "question_sentence", "query")


def _holds_questions(path: Path) -> bool:
    if path.suffix != ".jsonl":
        return False
    with path.open(encoding="utf-8") as lines:
        first = next((line for line in lines if line.strip()), "{}")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and any(field in record for field in QUESTION_FIELDS)


def _question(record: dict, inline: dict[str, dict], where: str) -> Question:
    text = next((record[f] for f in QUESTION_FIELDS if record.get(f)), None)
    if not text:
        raise ValueError(f"{where}: missing field 'question'")
    qid = str(record.get("question_id") or record.get("id") or where)
    if "positive_wrong" in record:  # RGB counterfactual robustness
        return _rgb_question(record, qid, text, inline)
    if "context" in record:  # SQuAD 2.0
        context = record["context"]
        doc_id = "ctx-" + hashlib.sha1(context.encode()).hexdigest()[:12]
        inline.setdefault(doc_id, {"doc_id": doc_id, "title": record.get("title", ""), "text": context})
        answers = list(dict.fromkeys(_flatten(record.get("answers"))))
        impossible = bool(record.get("is_impossible"))
        return Question(qid, text, [doc_id], answers, answer_in_gold=not impossible, unanswerable=impossible)
    return Question(
        qid,
        text,
        list(record.get("gold_doc_ids") or []),
        _flatten(record.get("answer_text") or record.get("answers")),
        answer_in_gold=bool(record.get("answer_text_in_gold_docs")),
        date=iso_date(record.get("question_date") or record.get("as_of")),
    )


RGB_PASSAGES = ("positive", "positive_wrong", "negative")


def _rgb_question(record: dict, qid: str, text: str, inline: dict[str, dict]) -> Question:
    gold = []
    for kind in RGB_PASSAGES:
        for number, passage in enumerate(record.get(kind) or []):
            doc_id = f"rgb-{qid}-{kind}-{number}"
            inline[doc_id] = {"doc_id": doc_id, "title": "", "text": passage}
            if kind == "positive":
                gold.append(doc_id)
    return Question(
        qid,
        text,
        gold,
        _flatten(record.get("answer")),
        answer_in_gold=True,
        conflicting_answers=_flatten(record.get("fakeanswer")),
    )


def _flatten(value) -> list[str]:
    if isinstance(value, list):
        return [item for part in value for item in _flatten(part)]
    return [str(value)] if value not in (None, "") else []
