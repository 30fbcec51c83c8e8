"""What the empty chat shows: how many articles are indexed, which answerer is on, and example
questions drawn from the newest articles' headlines."""

from rag.service import Byline
from rag.settings import Settings
from ui.render import counted

EXAMPLES = 3
HEADLINE_WORDS = range(3, 13)  # a title this long, not cut short, reads as a headline
LOOKED_AT = 30  # the newest articles whose titles are tried


def answerer_name(settings: Settings) -> str:
    """The answerer in a reader's words."""
    if settings.llm == "extractive":
        return "the extractive answerer (it quotes the articles' sentences; no language model)"
    if settings.llm == "llamacpp":
        model = settings.llm_model_path.name if settings.llm_model_path else "a local model"
        return f"{model} through llama.cpp"
    if settings.llm in ("ollama", "openai"):
        server = "Ollama" if settings.llm == "ollama" else "an OpenAI-compatible server"
        return f"{settings.llm_model} on {server}"
    return f"the {settings.llm} answerer"


def example_questions(service: Byline, n: int = EXAMPLES) -> list[str]:
    """Questions about the newest articles whose titles read as headlines, one per title."""
    questions: list[str] = []
    for stored in service.articles(0, LOOKED_AT):
        title = " ".join((stored.article.title or "").split()).rstrip(".")
        if len(title.split()) in HEADLINE_WORDS and not title.endswith("…") and title not in questions:
            questions.append(title)
        if len(questions) == n:
            break
    return [f"What is the latest on “{title}”?" for title in questions]


def welcome_markdown(service: Byline) -> str:
    """The empty chat's words: the archive's size, the answerer, and how answers cite."""
    total = service.count()
    if not total:
        return "**No articles are indexed yet.** Add some in the Articles tab (or `byline ingest`), then ask."
    return f"**{counted(total, 'article')} indexed** · answers by {answerer_name(service.settings)}.\n\nTry one of these, or ask your own:"
