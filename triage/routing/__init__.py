"""Routing: the run-time form of a pathway, composing sub-pathways into it, exploring its
routes, and the catalogue of compiled pathway versions."""
