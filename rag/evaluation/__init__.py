"""`byline eval`: retrieval and citation metrics on a folder of articles and questions."""
