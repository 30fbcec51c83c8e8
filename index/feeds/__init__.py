"""Articles from the web: pages, RSS/Atom feeds (rss.py) and sitemaps (sitemaps.py), fetched politely
(fetcher.py), told apart by their content (listings.py), read into articles (pages.py) and kept in
sync (sync.py) with a registry of feeds in the store folder (registry.py).

A "feed" here is what is registered and synced: an RSS/Atom feed or a sitemap. An article's
"source" is only ever its outlet (`Article.source`).
"""

# Sent with every request; robots.txt rules for "Byline" apply whatever an operator sets instead.
USER_AGENT = "Byline/0.1 (news question answering; reads robots.txt)"
