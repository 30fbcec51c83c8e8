"""HTML for answers and citations. Article text is untrusted: everything is escaped."""

from html import escape

from rag.context import CitationContext
from rag.models import AskResult


def citation_card(context: CitationContext) -> str:
    c = context.citation
    facts = " · ".join(escape(x) for x in (context.date, context.source) if x)
    title = escape(c.title or c.doc_id)
    if context.url:
        title = f'<a href="{escape(context.url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    return (
        f'<div class="byline-citation"><div class="byline-cite-head"><b>[{c.n}]</b> {title}'
        f'{f" <small>({facts})</small>" if facts else ""}</div>'
        f"<p>{escape(context.before)}<mark>{escape(context.sentence)}</mark>{escape(context.after)}</p>"
        f'<small class="byline-doc">{escape(c.doc_id)} · characters {c.start}–{c.end}</small></div>'
    )


def citations_panel(contexts: list[CitationContext]) -> str:
    if not contexts:
        return '<p class="byline-empty">Cited sentences appear here, highlighted in their passage.</p>'
    return "\n".join(citation_card(c) for c in contexts)


def chat_answer(result: AskResult) -> str:
    """The answer for a chat bubble, with the answerer's warnings (conflicts, why it abstained) under it."""
    notes = "".join(f"\n\n⚠ {escape(w)}" for w in result.warnings)
    return escape(result.answer) + notes
