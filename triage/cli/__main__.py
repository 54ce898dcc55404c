"""``python -m triage.cli`` runs the ``triage`` command."""

from triage.cli.main import main

raise SystemExit(main())
