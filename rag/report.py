"""The editors' report over the question log: what readers asked most, what the archive could not
answer (refusals grouped by topic), answers readers marked not helpful, answers with unsupported
claims, questions per day; as JSON, text (`byline report`) or CSV."""

import csv
import io
import re
from collections import Counter, defaultdict

from pydantic import BaseModel, Field

from index.question_log import Asked, Feedback, QuestionLog
from index.lexical.terms import WORD
from rag.focus import question_focus
from rag.term_weights import framing_words

TOP = 20
EXAMPLES = 3
# A spreadsheet runs a cell starting with these as a formula: readers' text must not.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


class Asking(BaseModel):
    question: str = Field(description="As it was first asked.")
    count: int
    refused: int


class Topic(BaseModel):
    topic: str = Field(description="A name, year or word the refused questions share.")
    count: int
    questions: list[str] = Field(description="Some of them.")


class Marked(BaseModel):
    at: str
    question: str
    answer: str
    citations: list[str]
    answerer: str
    reason: str = ""
    unsupported: list[str] = Field(default_factory=list)


class Day(BaseModel):
    day: str
    answered: int
    refused: int


class Report(BaseModel):
    date_from: str | None = None
    date_to: str | None = None
    questions: int
    refused: int
    helpful: int
    not_helpful: int
    most_asked: list[Asking]
    refusal_topics: list[Topic]
    marked_not_helpful: list[Marked]
    unsupported_claims: list[Marked]
    per_day: list[Day]


def build_report(log: QuestionLog, date_from: str | None = None, date_to: str | None = None) -> Report:
    """The report on the days `date_from` to `date_to` (ISO dates, both included; None: open)."""
    asked, feedback = log.asked(date_from, date_to), log.feedback(date_from, date_to)
    refused = [entry for entry in asked if entry.refused]
    return Report(
        date_from=date_from or None,
        date_to=date_to or None,
        questions=len(asked),
        refused=len(refused),
        helpful=sum(f.helpful for f in feedback),
        not_helpful=sum(not f.helpful for f in feedback),
        most_asked=most_asked(asked),
        refusal_topics=topics([entry.question for entry in refused]),
        marked_not_helpful=[_marked(f, reason=f.reason) for f in reversed(feedback) if not f.helpful],
        unsupported_claims=[_marked(a, unsupported=a.unsupported) for a in reversed(asked) if a.unsupported],
        per_day=per_day(asked),
    )


def _marked(entry: Asked | Feedback, **extra) -> Marked:
    return Marked(at=entry.at, question=entry.question, answer=entry.answer_text, citations=entry.citations, answerer=entry.answerer, **extra)


def _same_question(question: str) -> str:
    return " ".join(WORD.findall(question.lower()))


def most_asked(asked: list[Asked], top: int = TOP) -> list[Asking]:
    groups: dict[str, list[Asked]] = defaultdict(list)
    for entry in asked:
        groups[_same_question(entry.question)].append(entry)
    ranked = sorted(groups.values(), key=len, reverse=True)[:top]
    return [Asking(question=g[0].question, count=len(g), refused=sum(e.refused for e in g)) for g in ranked]


def _subjects(question: str) -> list[str]:
    """What a question is about: its names, quoted phrases and years, then its content words."""
    focus = question_focus(question)
    words = [w for w in WORD.findall(question.lower()) if w not in framing_words() and not w.isdigit()]
    return list(dict.fromkeys([*focus.names, *focus.phrases, *focus.years, *words]))


def topics(questions: list[str], top: int = TOP) -> list[Topic]:
    """Questions grouped by the subject most of them share: each goes to its subject that the most
    questions name (a name before a word on a tie)."""
    subjects = {question: _subjects(question) for question in questions}
    shared = Counter(subject.lower() for found in subjects.values() for subject in set(s.lower() for s in found))
    groups: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for question, found in subjects.items():
        if not found:
            groups[""].append(question)
            continue
        best = max(found, key=lambda s: shared[s.lower()])  # max keeps the first of equals: names come first
        labels.setdefault(best.lower(), best)
        groups[best.lower()].append(question)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    return [Topic(topic=labels.get(key, "(no subject)"), count=len(qs), questions=qs[:EXAMPLES]) for key, qs in ranked]


def per_day(asked: list[Asked]) -> list[Day]:
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry in asked:
        days[entry.at[:10]][int(entry.refused)] += 1
    return [Day(day=day, answered=answered, refused=refused) for day, (answered, refused) in sorted(days.items())]


CSV_COLUMNS = ["kind", "at", "question", "outcome", "unsupported_claims", "feedback", "reason", "answer", "citations", "answerer", "key"]


def report_csv(log: QuestionLog, date_from: str | None = None, date_to: str | None = None) -> str:
    """Every logged question of those days with the feedback on its answer, then the feedback on
    answers that are not in the log: one row each."""
    asked, feedback = log.asked(date_from, date_to), log.feedback(date_from, date_to)
    logged = {entry.answer for entry in asked}
    rows = [
        [
            "question",
            a.at,
            a.question,
            "refused" if a.refused else "answered",
            " | ".join(a.unsupported),
            _verdict(a.feedback),
            a.feedback.reason if a.feedback else "",
            a.answer_text,
            " ".join(a.citations),
            a.answerer,
            a.key_name,
        ]
        for a in asked
    ]
    rows += [
        ["feedback", f.at, f.question, "", "", _verdict(f), f.reason, f.answer_text, " ".join(f.citations), f.answerer, f.key_name]
        for f in feedback
        if f.answer not in logged
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return out.getvalue()


def _verdict(feedback: Feedback | None) -> str:
    return "" if feedback is None else "helpful" if feedback.helpful else "not helpful"


def _cell(value: str) -> str:
    return "'" + value if _FORMULA.match(value) else value


def report_text(report: Report) -> str:
    """What `byline report` prints."""
    span = f"{report.date_from or 'the start'} to {report.date_to or 'today'}"
    lines = [f"Questions from {span}: {report.questions} ({report.refused} refused); feedback: {report.helpful} helpful, {report.not_helpful} not helpful."]
    lines += _section("Most asked", [f"{a.count:>4} × {a.question}" + (f"  ({a.refused} refused)" if a.refused else "") for a in report.most_asked])
    lines += _section("Not answered, by topic", [f"{t.count:>4} × {t.topic}: " + " / ".join(t.questions) for t in report.refusal_topics])
    lines += _section(
        "Marked not helpful",
        [f"{m.at}  {m.question}" + (f"  — “{m.reason}”" if m.reason else "") + f"\n      answer: {_short(m.answer)}" for m in report.marked_not_helpful],
    )
    lines += _section(
        "Unsupported claims", [f"{m.at}  {m.question}\n      " + "\n      ".join(f"⚠ {c}" for c in m.unsupported) for m in report.unsupported_claims]
    )
    lines += _section("Per day (answered / refused)", [f"{d.day}  {d.answered:>4} / {d.refused}" for d in report.per_day])
    return "\n".join(lines)


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", f"{title}:", *(f"  {line}" for line in lines or ["none"])]


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
