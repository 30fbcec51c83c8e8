"""From a question to a cited answer: retrieval, evidence scoring, answerers, services."""
