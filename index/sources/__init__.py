"""Articles from the web: pages, RSS/Atom feeds and sitemaps, fetched politely (fetcher.py), told
apart by their content (listings.py), read into articles (pages.py) and kept in sync (sync.py) with
a registry of sources in the store folder (registry.py)."""

# Sent with every request; robots.txt rules for "Byline" apply whatever an operator sets instead.
USER_AGENT = "Byline/0.1 (news question answering; reads robots.txt)"
