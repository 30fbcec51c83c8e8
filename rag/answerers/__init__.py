"""The answerer seam: the `Answerer` protocol, the registry keyed by `BYLINE_LLM`, and the
helpers every answerer shares (abstaining, building a citation).

Adding a backend is one module with a `make_answerer(settings, embed)` function (`embed`
turns texts into normalised vectors, for checking claims) plus one line in
`ANSWERERS`. Packages can add their own through the `byline.answerers` entry-point group,
which is read the same way as the built-in table.
"""

from collections.abc import Callable, Iterator
from difflib import get_close_matches
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol

from rag.schema import AskResult, Citation, Turn

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.evidence import Evidence
    from rag.settings import Settings

NOT_FOUND = "I could not find this in the indexed articles."

# Name -> "module:function" building the answerer from `Settings` and `embed`. Imported only when chosen.
ANSWERERS: dict[str, str] = {
    "extractive": "rag.answerers.extractive:make_answerer",
    "openai": "rag.backends.openai:make_answerer",
    "ollama": "rag.backends.ollama:make_answerer",
    "llamacpp": "rag.backends.llamacpp:make_answerer",
}


class Answerer(Protocol):
    """Answers a question from its evidence. Optional members, read with `answerer_llm` and
    `problem`: `llm`, the model it asks, which also rewrites follow-up questions (None, or left
    out, when it has none: follow-ups are then rewritten by rule); `problem()`, what keeps it from
    answering right now."""

    llm: "LLM | None"

    def stream(self, question: str, evidence: list["Evidence"], history: list[Turn] | None = None) -> Iterator[str | AskResult]:
        """Yield text deltas as the answer is produced, and last the checked `AskResult`."""
        ...


@cache
def registry() -> dict[str, str]:
    """Built-in answerers plus those that installed packages declare."""
    found = dict(ANSWERERS)
    for entry in entry_points(group="byline.answerers"):
        found.setdefault(entry.name, entry.value)
    return found


def answerer_target(name: str) -> str:
    """The "module:function" that builds the answerer `name`; ValueError naming the choices when there is none."""
    table = registry()
    if name not in table:
        near = get_close_matches(name, table, n=1)
        hint = f"did you mean BYLINE_LLM={near[0]}? " if near else ""
        raise ValueError(f"BYLINE_LLM={name!r} names no answerer: {hint}choose one of: {', '.join(sorted(table))}")
    return table[name]


def make_answerer(settings: "Settings", embed: Callable[[list[str]], object]) -> Answerer:
    module, _, function = answerer_target(settings.llm).partition(":")
    return getattr(import_module(module), function)(settings, embed)


def answerer_llm(answerer: Answerer) -> "LLM | None":
    """The model `answerer` asks (it rewrites follow-ups too), or None."""
    return getattr(answerer, "llm", None)


def problem(answerer: Answerer) -> str | None:
    """What keeps `answerer` from answering as configured right now (its model server down), or None."""
    check = getattr(answerer, "problem", None)
    return check() if check else None


def final_result(items: Iterator[str | AskResult]) -> AskResult:
    """The `AskResult` that ends an answerer's stream."""
    result = None
    for item in items:
        if isinstance(item, AskResult):
            result = item
    if result is None:
        raise RuntimeError("the answerer ended without a result")
    return result


def citation(n: int, evidence: "Evidence") -> Citation:
    return Citation(
        n=n,
        doc_id=evidence.doc_id,
        title=evidence.title,
        sentence=evidence.sentence,
        start=evidence.start,
        end=evidence.end,
        score=round(evidence.score, 4),
        also_in=list(evidence.also_in),
    )


def abstain(question: str, warnings: list[str] | None = None) -> AskResult:
    return AskResult(question=question, answer=NOT_FOUND, abstained=True, warnings=warnings or [])
