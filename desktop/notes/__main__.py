"""`python -m desktop.notes` opens the Notes app."""

from .app import main

main()
