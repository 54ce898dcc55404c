"""The ``triage`` command (:func:`triage.cli.main.main`)."""
