"""How answers read: citation labels, counts, and the HTML of a chat answer.

Article text, answers and warnings are untrusted: everything that reaches HTML is escaped.
"""

import re
from html import escape
from typing import TYPE_CHECKING

from rag.schema import AlsoIn, AskResult, Citation, Claim

if TYPE_CHECKING:
    from rag.citation_context import CitationContext

LABEL_CHARS = 90
TOOLTIP_CHARS = 300
MARKER = re.compile(r"\[(\d+)\]")
WARNING_SIGN = "⚠"


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """`text` on one line, cut on a word boundary to at most `limit` characters plus "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:—–-") + "…"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 article", "2 articles"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def citation_label(citation: Citation) -> str:
    """What a citation says: its sentence, shortened, in quotes (`quoted`)."""
    return quoted(shorten(citation.sentence))


def quoted(text: str) -> str:
    """`text` in double quotes. Its own double quotes become single ones (a quote within a quote); one
    left unpaired where the sentence starts inside a quote, or is cut, is dropped."""
    chars, opened, paired = list(text), [], {}
    for i, char in enumerate(chars):
        opening = char == "“" or (char == '"' and (i == 0 or not chars[i - 1].isalnum() and chars[i - 1] not in ".,;:!?"))
        if opening:
            opened.append(i)
        elif char in '”"':
            if opened:
                paired[opened.pop()], paired[i] = "‘", "’"
            else:
                paired[i] = ""
    paired.update({i: "" for i in opened})
    return "“" + "".join(paired.get(i, char) for i, char in enumerate(chars)) + "”"


def article_facts(citation: Citation, context: "CitationContext | None") -> list[str]:
    """The cited article: title, then date and source where known, and "updated DATE" after a correction."""
    facts = [citation.title or citation.doc_id]
    if context is not None:
        facts += [x for x in (context.date, context.source) if x]
    if citation.updated:
        facts.append(f"updated {citation.updated[:10]}")
    return facts


def outlet(copy: AlsoIn) -> str:
    """A copy of the story named by its outlet (its source), else by its title."""
    return copy.source or copy.title or copy.doc_id


def also_in_line(copies: list[AlsoIn]) -> str:
    """ "also in: Coast Courier [courier/ferry], Valley Voice [voice/ferry]", for the command line."""
    return "also in: " + ", ".join(f"{outlet(c)} [{c.doc_id}]" for c in copies)


def searched_for(result: AskResult) -> str | None:
    """The question as it was searched, when a follow-up was rewritten into something else."""
    standalone = result.standalone_question
    if not standalone or _plain(standalone) == _plain(result.question):
        return None
    return standalone


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- the HTML of one chat answer ---------------------------------------------------------


def chat_answer(result: AskResult, contexts: list["CitationContext"] | None = None, turn: int = 0) -> str:
    """One assistant message: the question searched, the answer with its claims checked and its
    `[n]` markers linked to their sources, the warnings, then the sources themselves.

    `turn` numbers the answer in its conversation, so that each answer links to its own sources."""
    by_n = {c.citation.n: c for c in contexts or []}
    parts = [_searched_html(result), _answer_html(result, by_n, turn), _warnings_html(result)]
    if result.citations:
        parts.append(_sources_html(result.citations, by_n, turn))
    parts.append(f'<div class="byline-markdown">{escape(answer_markdown(result, contexts))}</div>')  # hidden, copied
    return f'<div class="byline-answer">{"".join(parts)}</div>'


def anchor(turn: int, n: int) -> str:
    return f"byline-a{turn}-c{n}"


def _searched_html(result: AskResult) -> str:
    searched = searched_for(result)
    return f'<p class="byline-searched">Searched for: “{escape(searched)}”</p>' if searched else ""


def _answer_html(result: AskResult, contexts: dict[int, "CitationContext"], turn: int) -> str:
    markers = {c.n: _marker_html(c, contexts.get(c.n), turn) for c in result.citations}
    pieces, cursor = [], 0
    for start, end, claim in claim_spans(result):
        pieces.append(_with_markers(result.answer[cursor:start], markers))
        pieces.append(_claim_html(claim, _with_markers(result.answer[start:end], markers)))
        cursor = end
    pieces.append(_with_markers(result.answer[cursor:], markers))
    return f'<p class="byline-text">{"".join(pieces)}</p>'


def claim_spans(result: AskResult) -> list[tuple[int, int, Claim]]:
    """Where each claim stands in the answer, in order; a claim whose offsets do not hold its
    text is looked for after the previous one, and left out if it is not there."""
    spans, cursor = [], 0
    for claim in result.claims:
        start = claim.start
        if result.answer[claim.start : claim.end] != claim.text:
            start = result.answer.find(claim.text, cursor)
        if not claim.text or start < cursor:
            continue
        spans.append((start, start + len(claim.text), claim))
        cursor = start + len(claim.text)
    return spans


def _claim_html(claim: Claim, inner: str) -> str:
    if claim.supported:
        return f'<span class="byline-claim">{inner}</span>'
    reason = f"Not supported by the articles: {claim.reason}" if claim.reason else "Not supported by the articles"
    return f'<span class="byline-claim byline-unsupported" title="{escape(reason)}"><b class="byline-flag">{WARNING_SIGN}</b> {inner}</span>'


def _marker_html(citation: Citation, context: "CitationContext | None", turn: int) -> str:
    tip = f"{shorten(citation.sentence, TOOLTIP_CHARS)} — {', '.join(article_facts(citation, context))}"
    return f'<a class="byline-marker" href="#{anchor(turn, citation.n)}" title="{escape(tip)}">[{citation.n}]</a>'


def _with_markers(text: str, markers: dict[int, str]) -> str:
    """`text` escaped, its `[n]` markers of known citations made links."""
    pieces, cursor = [], 0
    for match in MARKER.finditer(text):
        link = markers.get(int(match.group(1)))
        if link:
            pieces += [escape(text[cursor : match.start()]), link]
            cursor = match.end()
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def _warnings_html(result: AskResult) -> str:
    return "".join(f'<p class="byline-warning">{WARNING_SIGN} {escape(w)}</p>' for w in result.warnings)


def _sources_html(citations: list[Citation], contexts: dict[int, "CitationContext"], turn: int) -> str:
    cards = "".join(source_html(c, contexts.get(c.n), anchor(turn, c.n)) for c in citations)
    return f'<div class="byline-sources"><p class="byline-sources-head">{counted(len(citations), "source")}</p>{cards}</div>'


def source_html(citation: Citation, context: "CitationContext | None", anchor_id: str) -> str:
    """One citation, closed: its label and article; open: the sentence highlighted in its passage."""
    facts = [escape(x) for x in article_facts(citation, context)]
    url = context.url if context is not None else None
    if url and _is_web_url(url):
        facts[0] = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{facts[0]}</a>'
    before, sentence, after = (context.before, context.sentence, context.after) if context else ("", citation.sentence, "")
    return (
        f'<details class="byline-citation"><summary><b>[{citation.n}]</b> '
        f'<span class="byline-label">{escape(citation_label(citation))}</span> '
        f'<small class="byline-facts">{" · ".join(facts)}</small>{_also_in_html(citation.also_in)}</summary>'
        f'<div class="byline-passage" id="{anchor_id}">'
        f"<p>{escape(before)}<mark>{escape(sentence)}</mark>{escape(after)}</p>"
        "</div></details>"
    )


def _also_in_html(copies: list[AlsoIn]) -> str:
    """The other outlets that carry the cited sentence, each a link where its URL is http(s)."""
    if not copies:
        return ""
    names = []
    for copy in copies:
        name, title = escape(outlet(copy)), escape(copy.title or copy.doc_id)
        if copy.url and _is_web_url(copy.url):
            name = f'<a href="{escape(copy.url)}" title="{title}" target="_blank" rel="noopener noreferrer">{name}</a>'
        names.append(name)
    return f' <small class="byline-also">also in: {", ".join(names)}</small>'


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


# --- Markdown, for copying an answer out ------------------------------------------------

MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>\[\]])")
ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")


def answer_markdown(result: AskResult, contexts: list["CitationContext"] | None = None) -> str:
    """A question and its answer as readable Markdown: the answer with its `[n]` markers, its
    warnings, then its numbered sources (the sentence, the article linked, outlet and date)."""
    by_n = {c.citation.n: c for c in contexts or []}
    blocks = [f"**Q: {_md(result.question)}**"]
    searched = searched_for(result)
    if searched:
        blocks.append(f"_Searched for: {_md(searched)}_")
    blocks.append(ESCAPED_MARKER.sub(r"[\1]", _md(result.answer)))
    blocks += [f"> {WARNING_SIGN} {_md(w)}" for w in result.warnings]
    if result.citations:
        blocks.append("Sources:\n" + "\n".join(_source_markdown(c, by_n.get(c.n)) for c in result.citations))
    return "\n\n".join(blocks)


def _source_markdown(citation: Citation, context: "CitationContext | None") -> str:
    facts = [_md(x) for x in article_facts(citation, context)]
    url = context.url if context is not None else None
    if url and _is_web_url(url):
        facts[0] = f"[{facts[0]}](<{url.replace('<', '%3C').replace('>', '%3E')}>)"
    return f"- [{citation.n}] {_md(citation_label(citation))} — {', '.join(facts)}"


def _md(text: str) -> str:
    """Untrusted text as Markdown text: on one line, no markup of its own."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


# --- plain text, for the command line ----------------------------------------------------


def citation_lines(citations: list[Citation], contexts: list["CitationContext"]) -> list[str]:
    """Two lines per citation: what it says, then the article and where in it."""
    by_n = {c.citation.n: c for c in contexts}
    lines = []
    for c in citations:
        facts = " · ".join(article_facts(c, by_n.get(c.n)))
        lines += [f"  [{c.n}] {citation_label(c)}", f"      {facts} · {c.doc_id}, chars {c.start}-{c.end}"]
        if c.also_in:
            lines.append(f"      {also_in_line(c.also_in)}")
    return lines
