"""The one operation under Connexion: its handlers, and the adapters Connexion is given.

Validation, security, dispatch, scenarios (`Prefer`, latency, error rate), content negotiation,
the query-string parsing and the `next`/`previous` links. Reads the data layer, never the reverse.
"""
