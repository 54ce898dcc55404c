"""``python -m api`` starts the service."""

from api.app import main

main()
