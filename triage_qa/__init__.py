"""Test and demo machinery for the front-door engine, kept apart from the engine itself.

- :mod:`triage_qa.bdd`: the Gherkin step library, a pytest plugin, so QA write only
  ``.feature`` files;
- :mod:`triage_qa.people`: deterministic, obviously synthetic people and labelled
  phone-style queries, for benchmarks and client-index tests.

Install it with the ``qa`` extra (``pip install -e '.[qa]'``; ``make`` does); the engine
never imports it.
"""
