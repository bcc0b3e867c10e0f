"""Browser tests of the intake desk (a package, so its conftest does not shadow tests/conftest.py)."""
