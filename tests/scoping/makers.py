"""How to make one object of each tenant model that belongs to a given world unit.

The scoping contract test needs, for every route that takes an object id, an object inside
and outside each role's scope. A new tenant model used in a URL needs a maker here; the
contract test fails with a clear message until it has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.core.models import ImportBatch, Job
from apps.core.xlsx import table_workbook
from apps.registration.models import Municipality, Region, School, SchoolProfile, User
from apps.registration.tests.factories import grant, make_user
from conftest import World, token

# A URL kwarg name → the model whose id it carries (``pk`` means the view's scoped_model).
KWARG_MODELS: dict[str, type[Any]] = {
    "region_id": Region,
    "municipality_id": Municipality,
    "school_id": School,
    "batch_id": ImportBatch,
    "job_id": Job,
    "user_id": User,
}


def _ids(world: World, key: str) -> dict[str, int | None]:
    return {
        "region_id": world.regions[key[:1]].pk,
        "municipality_id": world.municipalities[key[:2]].pk if len(key) >= 2 else None,
        "school_id": world.schools[key[:3]].pk if len(key) >= 3 else None,
    }


def _job(world: World, key: str) -> Job:
    owner = world.users["federal"]
    content = table_workbook(sheet_title="Список", headers=["Единица"], rows=[[token(key)]])
    path = default_storage.save(f"tests/jobs/{key}.xlsx", ContentFile(content))
    return Job.objects.create(
        kind="school_list_export",
        key=f"contract:{key}:{path}",
        actor=owner,
        status=Job.Status.DONE,
        output=path,
        output_sha256=hashlib.sha256(content).hexdigest(),
        params={"title": token(key)},
        **_ids(world, key),
    )


def _batch(world: World, key: str) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="contract",
        actor=world.users["federal"],
        original_name=f"{token(key)}.xlsx",
        preview={"rows": []},
        **_ids(world, key),
    )


def _profile(world: World, key: str) -> SchoolProfile:
    school = world.schools[key]
    return SchoolProfile.objects.get_or_create(
        school=school,
        defaults={
            "school_type": school.school_type,
            "settlement_type": "city",
            "address": f"Адрес {token(key)}",
            "director_name": "Директор Тестовый",
            "phone": "+7 000 000-00-00",
            "email": "school@example.org",
        },
    )[0]


def _user(world: World, key: str) -> User:
    role = {1: "regional", 2: "municipal", 3: "school_organizer"}[len(key)]
    user = make_user(f"contract_{key.lower()}_{User.objects.count()}", "x-Password-123")
    grant(user, role, world.unit(key))
    return user


# model → (maker, the key lengths it can anchor at: 1 region, 2 municipality, 3 school)
MAKERS: dict[type[Any], tuple[Callable[[World, str], Any], tuple[int, ...]]] = {
    Region: (lambda w, k: w.regions[k], (1,)),
    Municipality: (lambda w, k: w.municipalities[k], (2,)),
    School: (lambda w, k: w.schools[k], (3,)),
    Job: (_job, (1, 2, 3)),
    ImportBatch: (_batch, (1, 2, 3)),
    SchoolProfile: (_profile, (3,)),
    User: (_user, (1, 2, 3)),
}
