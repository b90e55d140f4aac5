"""liveui benchmark harness (see bench/README.md)."""
