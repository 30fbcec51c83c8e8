"""Follow-up questions: fold the previous question into the retrieval query when needed."""

import re

from rag.lexical import content_terms
from rag.models import Turn

_ANAPHORA = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|there|then)\b", re.I)
SHORT_QUESTION_TERMS = 3


def retrieval_query(question: str, history: list[Turn] | None) -> str:
    previous = [turn.content for turn in history or [] if turn.role == "user"]
    if not previous:
        return question
    if _ANAPHORA.search(question) or len(content_terms(question)) <= SHORT_QUESTION_TERMS:
        return f"{previous[-1]} {question}"
    return question
