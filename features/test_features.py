"""Binds every .feature file under features/ to the generic step library."""

from pytest_bdd import scenarios

scenarios(".")
