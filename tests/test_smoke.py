from __future__ import annotations

import pytest

from apps.registration.access import actor_for_user
from apps.registration.constants import Role


@pytest.mark.django_db
def test_world_roles(world):
    # given the world
    # when actors are built
    roles = {k: actor_for_user(u).role for k, u in world.users.items()}
    # then each user has the role of its grant
    assert roles == {
        "federal": Role.FEDERAL,
        "regional": Role.REGIONAL,
        "municipal": Role.MUNICIPAL,
        "school_organizer": Role.SCHOOL_ORGANIZER,
        "school_tech": Role.SCHOOL_TECH,
        "expert": Role.EXPERT,
        "marker": Role.MARKER,
    }
