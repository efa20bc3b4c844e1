from __future__ import annotations

from typing import Any

import pytest

from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import A1A, A2A, B1A, put_results, small_work
from conftest import World


@pytest.fixture
def loaded(world: World) -> Any:
    """The small data set, refreshed school by school (as the uploads would)."""
    work = small_work()
    for key, rows in (("A1a", A1A), ("A2a", A2A), ("B1a", B1A)):
        put_results(world.schools[key], work, rows)
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=work.pk)
    return work
