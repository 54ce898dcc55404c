"""``python -m api`` starts the service."""

from api.bootstrap import main

main()
