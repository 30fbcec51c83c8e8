"""The Articles tab's list: a page of the store's articles, newest ingest first, or of those whose title,
source or doc_id holds the words searched for, and the line saying which (Markdown)."""

from dataclasses import dataclass

from ui.render import counted
from ui.uploads import _markdown_text as markdown_text

ARTICLE_COLUMNS = ["doc_id", "title", "date", "source", "chunks"]
PAGE_SIZE = 200  # articles listed at a time
MAX_QUERY = 200  # characters of a search kept


@dataclass(frozen=True)
class ArticleView:
    """What the list shows: the search (empty: every article) and the place of its first row."""

    query: str = ""
    offset: int = 0


@dataclass
class ArticlePage:
    view: ArticleView  # as shown: the offset moved back onto the last page when it was past it
    rows: list[list]  # ARTICLE_COLUMNS, plain text
    matched: int  # articles the search matches (all, without one)
    stored: int  # articles in the store
    size: int

    @property
    def has_previous(self) -> bool:
        return self.view.offset > 0

    @property
    def has_next(self) -> bool:
        return self.view.offset + len(self.rows) < self.matched

    def summary(self) -> str:
        """ "Showing 201–400 of 1,234 indexed articles, newest first."; with a search, how many match it."""
        query = markdown_text(f"“{self.view.query}”")
        if self.view.query and not self.matched:
            return f"No article's title, source or doc\\_id holds {query} ({self.stored:,} indexed)."
        if self.matched <= len(self.rows) and not self.has_previous:
            shown = f"all {self.matched:,}" if self.matched > 1 else f"{self.matched}"
        else:
            shown = f"{self.view.offset + 1:,}–{self.view.offset + len(self.rows):,} of {self.matched:,}"
        if not self.view.query:
            return f"Showing {shown} indexed {'article' if self.matched == 1 else 'articles'}, newest first."
        return f"Showing {shown} {'article' if self.matched == 1 else 'articles'} matching {query} ({counted(self.stored, 'indexed article')} in all), newest first."


def article_page(service, view: ArticleView, size: int = PAGE_SIZE) -> ArticlePage:
    """The page of `view` (its query's spaces collapsed, at most MAX_QUERY characters); a view past
    the last page (articles were deleted) shows the last page."""
    query = " ".join((view.query or "").split())[:MAX_QUERY]
    matched = service.count(query)
    offset = max(0, min(view.offset, (matched - 1) // size * size if matched else 0))
    rows = [[a.article.doc_id, a.article.title, a.article.date or "", a.article.source or "", a.chunks] for a in service.articles(offset, size, query)]
    stored = service.count() if query else matched
    return ArticlePage(ArticleView(query, offset), rows, matched, stored, size)


def moved(view: ArticleView, pages: int, size: int = PAGE_SIZE) -> ArticleView:
    """`view` `pages` pages on (back, when negative), never before the first."""
    return ArticleView(view.query, max(0, view.offset + pages * size))
