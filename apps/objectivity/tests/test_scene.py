"""The shared scene builds: kits, codes, commissions, and a school's own upload."""

from __future__ import annotations

import pytest

from apps.materials import pdf
from apps.objectivity.tests.scene import PARTICIPANTS, SCHOOLS, Scene
from apps.registration.constants import Role
from apps.results.models import ParticipantResult


@pytest.mark.django_db
def test_the_scene_has_kits_codes_and_commissions(scene: Scene) -> None:
    for key in SCHOOLS:
        assert len(scene.variants(key)) >= 2
        assert len(scene.codes[key]) == PARTICIPANTS
    assert {a.role for a in map(_actor, scene.markers + scene.federal_markers)} == {Role.MARKER}
    assert pdf.variant_pdf(scene.variant_docs("A1a")[0]).startswith(b"%PDF")
    scene.upload_own("A1b", scene.own_rows("A1b"))
    assert ParticipantResult.objects.filter(work=scene.work).count() == PARTICIPANTS


def _actor(user: object) -> object:
    from apps.registration.access import actor_for_user

    return actor_for_user(user)
