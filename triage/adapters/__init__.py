"""Adapters: each the only place its library is imported (YAML, transitions, databases, logging)."""
