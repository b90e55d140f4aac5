"""Browser end-to-end tests (a package, so their Playwright fixture can be package-scoped: see conftest.py)."""
