"""The conversation a question brings: its limits, checked before anything reads it, and the part of it
a follow-up's rewrite may use (only the recent turns, and never more than a subject's worth of text)."""

from rag.schema import Turn
from rag.settings import Settings

MAX_QUESTION_CHARS = 2000
# Turns a follow-up's rewrite reads: the last questions and answers, enough to resolve "them" in a chain.
FOLLOW_UP_TURNS = 8
# Characters a rewrite may add to the question (the subject it brings); a longer one is not searched.
MAX_ADDED_CHARS = 200


class TooLong(ValueError):
    """A question or conversation over its limit; the message names the setting."""


def check_conversation(question: str, history: list[Turn] | None, settings: Settings) -> None:
    history = history or []
    if len(question) > MAX_QUESTION_CHARS:
        raise TooLong(f"the question has {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
    if len(history) > settings.max_history_turns:
        raise TooLong(f"the conversation has {len(history)} turns; the limit is {settings.max_history_turns} (BYLINE_MAX_HISTORY_TURNS): send the recent ones")
    for n, turn in enumerate(history, start=1):
        if len(turn.content) > settings.max_turn_chars:
            raise TooLong(f"turn {n} of the conversation has {len(turn.content)} characters; the limit is {settings.max_turn_chars} (BYLINE_MAX_TURN_CHARS)")
    total = sum(len(turn.content) for turn in history)
    if total > settings.max_history_chars:
        raise TooLong(f"the conversation has {total} characters; the limit is {settings.max_history_chars} (BYLINE_MAX_HISTORY_CHARS)")


def recent_turns(history: list[Turn], settings: Settings) -> list[Turn]:
    """The newest turns of `history` within the limits: what a chat that keeps its own conversation sends."""
    kept: list[Turn] = []
    total = 0
    for turn in reversed(history[-settings.max_history_turns :] if settings.max_history_turns else []):
        total += len(turn.content)
        if len(turn.content) > settings.max_turn_chars or total > settings.max_history_chars:
            break
        kept.append(turn)
    return kept[::-1]


def follow_up_turns(history: list[Turn] | None) -> list[Turn]:
    return (history or [])[-FOLLOW_UP_TURNS:]


def searched(question: str, rewrite: str) -> str:
    """The rewrite of `question`, unless it brought in more of the conversation than a subject."""
    return rewrite if len(rewrite) <= len(question) + MAX_ADDED_CHARS else question
