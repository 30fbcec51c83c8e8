"""The editors' desk's records: the questions readers asked (kept only with BYLINE_LOG_QUESTIONS) and
the feedback they gave on answers. Its own SQLite file in the store folder (`questions.sqlite3`), or
the shared PostgreSQL database (BYLINE_DATABASE_URL) beside the articles. A reader's address or key
is never kept: a key by its name only (ui/access.py)."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from index.db import Database, open_database

FILE = "questions.sqlite3"
# `answer` names a question and the answer given to it: feedback finds the logged question it is about.
_COMMON = """
    at TEXT NOT NULL,
    answer TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_text TEXT NOT NULL,
    citations TEXT NOT NULL,
    answerer TEXT NOT NULL,
    key_name TEXT NOT NULL,"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS asked (
    id {{id}},{_COMMON}
    searched TEXT,
    refused INTEGER NOT NULL,
    unsupported TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS asked_at ON asked(at);
CREATE TABLE IF NOT EXISTS feedback (
    id {{id}},{_COMMON}
    helpful INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer);
"""
_FIELDS = "at, answer, question, answer_text, citations, answerer, key_name"


@dataclass
class Entry:
    """What an answer was: the question, the answer, the doc_ids it cites, the answerer, whose key."""

    question: str
    answer_text: str
    citations: list[str] = field(default_factory=list)
    answerer: str = ""
    key_name: str = ""
    at: str = ""  # UTC, `YYYY-MM-DD HH:MM:SS`; set when stored

    @property
    def answer(self) -> str:
        return answer_key(self.question, self.answer_text)


@dataclass
class Asked(Entry):
    searched: str | None = None  # a follow-up as it was searched for
    refused: bool = False
    unsupported: list[str] = field(default_factory=list)  # the answer's claims no cited sentence supports
    feedback: "Feedback | None" = None  # the newest feedback on this answer, when read back


@dataclass
class Feedback(Entry):
    helpful: bool = True
    reason: str = ""


def answer_key(question: str, answer: str) -> str:
    return hashlib.sha256(f"{' '.join(question.split())}\0{answer}".encode()).hexdigest()[:32]


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def day_range(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """The `at` bounds of the days `date_from` to `date_to` (ISO dates, both included; None: open; "": not a date)."""
    bounds = []
    for value, shift in ((date_from, 0), (date_to, 1)):
        try:
            day = date.fromisoformat(value.strip()) if value is not None else None
        except ValueError:
            raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD") from None
        bounds.append((day + timedelta(days=shift)).isoformat() if day else ("" if shift == 0 else "9999"))
    return bounds[0], bounds[1]


class QuestionLog:
    def __init__(self, database: Database):
        self._db = database
        self._db.script(self._db.schema(SCHEMA))

    @classmethod
    def in_store(cls, store: Path, database_url: str = "") -> "QuestionLog":
        """The log of the store in folder `store`, or in the shared database at `database_url`."""
        return cls(open_database(database_url, Path(store) / FILE))

    def close(self) -> None:
        self._db.close()

    def add_asked(self, entry: Asked) -> None:
        self._db.write(
            f"INSERT INTO asked ({_FIELDS}, searched, refused, unsupported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*self._common(entry), entry.searched, int(entry.refused), json.dumps(entry.unsupported)),
        )

    def add_feedback(self, entry: Feedback) -> None:
        self._db.write(
            f"INSERT INTO feedback ({_FIELDS}, helpful, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*self._common(entry), int(entry.helpful), entry.reason),
        )

    def _common(self, entry: Entry) -> tuple:
        entry.at = entry.at or utc_now()
        return (entry.at, entry.answer, entry.question, entry.answer_text, json.dumps(entry.citations), entry.answerer, entry.key_name)

    def delete_before(self, at: str) -> int:
        """Delete the questions and feedback older than `at`; how many."""
        with self._db.transaction():
            return sum(self._db.write(f"DELETE FROM {table} WHERE at < ?", (at,)) for table in ("asked", "feedback"))

    def asked(self, date_from: str | None = None, date_to: str | None = None) -> list[Asked]:
        """The questions asked on those days, oldest first, each with the newest feedback on its answer."""
        start, end = day_range(date_from, date_to)
        rows = self._db.rows(f"SELECT {_FIELDS}, searched, refused, unsupported FROM asked WHERE at >= ? AND at < ? ORDER BY at, id", (start, end))
        newest = {entry.answer: entry for entry in self.feedback(date_from)}
        found = []
        for row in rows:
            entry = Asked(**self._entry(row), searched=row[7], refused=bool(row[8]), unsupported=json.loads(row[9]))
            entry.feedback = newest.get(row[1])
            found.append(entry)
        return found

    def feedback(self, date_from: str | None = None, date_to: str | None = None) -> list[Feedback]:
        """The feedback given on those days, oldest first."""
        start, end = day_range(date_from, date_to)
        rows = self._db.rows(f"SELECT {_FIELDS}, helpful, reason FROM feedback WHERE at >= ? AND at < ? ORDER BY at, id", (start, end))
        return [Feedback(**self._entry(row), helpful=bool(row[7]), reason=row[8]) for row in rows]

    @staticmethod
    def _entry(row: tuple) -> dict:
        at, _, question, answer_text, citations, answerer, key_name = row[:7]
        return dict(at=at, question=question, answer_text=answer_text, citations=json.loads(citations), answerer=answerer, key_name=key_name)
