"""The editors' desk: what readers asked (with BYLINE_LOG_QUESTIONS) and what they said of the answers,
kept in the store's question log (index/question_log.py) for BYLINE_LOG_RETENTION_DAYS."""

import threading
import time
import weakref
from datetime import datetime, timedelta, timezone

from index.question_log import Asked, Feedback, QuestionLog
from rag.schema import AskResult
from rag.settings import Settings

PRUNE_EVERY_S = 3600.0


class Desk:
    def __init__(self, settings: Settings, log: QuestionLog):
        self.settings = settings
        self.log = log
        self._pruned = float("-inf")  # time.monotonic() of the last deletion of old entries

    @classmethod
    def for_settings(cls, settings: Settings) -> "Desk":
        return cls(settings, QuestionLog.in_store(settings.store, settings.database_url))

    def asked(self, result: AskResult, key_name: str) -> None:
        """Log a question and its answer, when questions are logged."""
        if not self.settings.log_questions:
            return
        searched = result.standalone_question if result.standalone_question != result.question else None
        self.log.add_asked(
            Asked(
                question=result.question,
                answer_text=result.answer,
                citations=[c.doc_id for c in result.citations],
                answerer=self.settings.llm,
                key_name=key_name,
                searched=searched,
                refused=result.abstained,
                unsupported=[claim.text for claim in result.claims if not claim.supported],
            )
        )
        self.prune()

    def feedback(self, question: str, answer: str, citations: list[str], helpful: bool, reason: str, key_name: str) -> None:
        """A reader's verdict on an answer this server gave (its question, text and cited doc_ids as the reader saw them)."""
        self.log.add_feedback(
            Feedback(
                question=question,
                answer_text=answer,
                citations=citations,
                answerer=self.settings.llm,
                key_name=key_name,
                helpful=helpful,
                reason=" ".join(reason.split()),
            )
        )
        self.prune()

    def prune(self, force: bool = False) -> int:
        """Delete the entries older than BYLINE_LOG_RETENTION_DAYS (at most once an hour unless `force`)."""
        days = self.settings.log_retention_days
        if not days or (not force and time.monotonic() - self._pruned < PRUNE_EVERY_S):
            return 0
        self._pruned = time.monotonic()
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        return self.log.delete_before(cutoff.strftime("%Y-%m-%d %H:%M:%S"))


_BY_SERVICE: "weakref.WeakKeyDictionary[object, Desk]" = weakref.WeakKeyDictionary()
_BY_SERVICE_LOCK = threading.Lock()


def desk_for(service) -> Desk:
    """The service's (rag/service.py) desk, opened on first use."""
    with _BY_SERVICE_LOCK:
        if service not in _BY_SERVICE:
            _BY_SERVICE[service] = Desk.for_settings(service.settings)
        return _BY_SERVICE[service]
