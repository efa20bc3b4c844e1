"""Fixtures of the integration tests: the results app's `env` (a work at school A1a with codes
issued, the clock inside the upload window), reused as it is."""

from apps.results.tests.conftest import env  # noqa: F401 - re-exported as a fixture
