"""The demo gallery served by `python -m liveui demo`."""
