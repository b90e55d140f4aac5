"""liveui Notes: a small Markdown notes app for the desktop (see desktop/README.md)."""
