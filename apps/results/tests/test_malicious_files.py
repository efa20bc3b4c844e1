"""A results form padded into a zip bomb is refused before anything inflates."""

from __future__ import annotations

import time

import pytest

from apps.core.tests.bad_files import padded
from apps.core.uploads import UploadError
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env

pytestmark = pytest.mark.django_db


def test_a_valid_form_that_inflates_to_300_mib_is_refused_and_nothing_is_stored(env: Env) -> None:
    # given a correctly filled form with one more part: 300 MiB of zeros in 300 KB
    content = padded(env.filled(), 300)
    assert len(content) < 400 * 1024
    # when the school uploads it
    started = time.monotonic()
    with pytest.raises(UploadError) as refused:
        env.upload(content)
    # then it is refused at once, naming the limit, and no version is stored
    message = str(refused.value)
    assert message.startswith("Файл слишком велик после распаковки")
    assert "допускается не более" in message
    assert time.monotonic() - started < 5
    assert not ResultVersion.objects.exists()
