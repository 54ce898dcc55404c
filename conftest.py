"""Loads the generic Gherkin step library for every feature file under features/."""

pytest_plugins = ["triage.testing.bdd"]
