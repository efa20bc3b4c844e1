"""Variant generation: seeded and exact, balanced, distinct in a school and a municipality,
traceable from the identifier printed on a page."""

from __future__ import annotations

import json
import random

import pytest

from apps.applications.models import Status
from apps.campaigns.tests.factories import WorkFactory
from apps.materials import generation as gen
from apps.materials import selectors
from apps.materials.bank import write_bank_json
from apps.materials.messages import MaterialsError
from apps.materials.models import Kit, Variant
from apps.materials.services import bank_import, kit_compose, variant_lookup, work_key
from apps.materials.tests.bank_data import bank_json, bank_rows
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.registration.tests.factories import SchoolFactory


def _bank_pool() -> gen.Pool:
    by_column: dict[str, list[gen.PoolItem]] = {}
    for n, row in enumerate(bank_rows(), start=1):
        by_column.setdefault(row.column, []).append(gen.PoolItem(n, row.difficulty))
    return tuple(tuple(items) for items in by_column.values())


def test_the_same_seed_gives_the_same_variants() -> None:
    # given the test bank pool and a seed
    pool = _bank_pool()
    # when variants are composed twice from it, and once from another seed
    first, again = gen.compose(12345, pool, 2), gen.compose(12345, pool, 2)
    other = gen.compose(54321, pool, 2)
    # then the same seed gives the same items, another seed other items
    assert first == again
    assert first.items != other.items


@pytest.mark.parametrize("k", [2, 3, 4])
def test_difficulty_is_balanced_within_the_tolerance(k: int) -> None:
    # given the test bank pool and 300 random seeds
    pool = _bank_pool()
    rng = random.Random(7)
    spreads = []
    for _ in range(300):
        # when K variants are composed
        composition = gen.compose(rng.getrandbits(62), pool, k)
        spreads.append(composition.spread)
        # then every column differs between the variants (the pool has >= 4 items per column)
        for column in zip(*composition.items, strict=True):
            assert len(set(column)) == k
    # and the difficulty sums of a school's variants differ by at most the stated tolerance
    assert max(spreads) <= gen.DIFFICULTY_TOLERANCE


def test_uids_and_passwords_have_their_documented_shape() -> None:
    # given a seed
    uid = gen.variant_uid(seed=1, work_id=2, school_id=3, number=1)
    # then the identifier is 10 Crockford characters and is read back however it is typed
    assert len(uid) == 11
    assert uid[5] == "-"
    assert gen.normalize_uid(uid.lower().replace("-", " ")) == uid
    password = gen.new_password()
    assert len(password) >= 12
    assert set(password) <= set(gen.PASSWORD_ALPHABET)
    assert not set(password) & set("0O1lIio")


@pytest.mark.django_db
def test_kits_are_regenerated_exactly_from_the_recorded_seed(world) -> None:
    # given generated kits
    work = russian4()
    for school in world.schools.values():
        apply(school, work)
    result = generate(work)
    assert result.created == 8
    # and the bank changes afterwards
    items = json.loads(bank_json(work))["items"][1:]
    bank_import(
        actor=SYSTEM,
        work_id=work.pk,
        content=json.dumps({"items": items}, ensure_ascii=False).encode(),
        filename="b.json",
    )
    for kit in Kit.objects.filter(work=work):
        # when a kit is recomposed from its seed and its recorded bank revision
        pool = selectors.bank_pool(actor=SYSTEM, work_id=work.pk, revision=kit.bank_revision)
        composition = kit_compose(kit, pool)
        # then it is exactly what was stored
        stored = [tuple(v.items) for v in kit.variants.order_by("number")]
        assert list(composition.items) == stored


@pytest.mark.django_db
def test_generation_is_idempotent_and_counts_only_sent_applications(world) -> None:
    # given two applying schools and one whose application is a draft
    work = russian4()
    apply(world.schools["A1a"], work)
    apply(world.schools["A1b"], work)
    apply(world.schools["A2a"], work, status=Status.DRAFT)
    # when generation runs twice
    first = generate(work)
    second = generate(work)
    # then kits exist for the two only, created once
    assert (first.created, second.created, second.existing) == (2, 0, 2)
    assert Kit.objects.filter(work=work).count() == 2


def _tiny_work():
    """3 one-point columns with 2 items each: 8 combinations, 4 complementary pairs."""
    work = WorkFactory(
        columns=[("1", 1, "Б"), ("2", 1, "Б"), ("3", 1, "Б")],
        max_score=3,
        mark3_from=1,
        mark4_from=2,
        mark5_from=3,
    )
    rows = [
        {
            "code": f"T-{c}-{n}",
            "column": c,
            "text": f"Задание {c}.{n}",
            "answer": "Ответ",
            "difficulty": n + 1,
            "topic": "",
        }
        for c in ("1", "2", "3")
        for n in (1, 2)
    ]
    data = json.loads(write_bank_json(work=work_key(work), rows=[]))
    data["items"] = rows
    bank_import(actor=SYSTEM, work_id=work.pk, content=json.dumps(data).encode(), filename="t.json")
    return work


@pytest.mark.django_db
def test_no_variant_repeats_inside_a_municipality(world) -> None:
    # given a bank with only 8 combinations and 4 schools in one municipality
    work = _tiny_work()
    muni = world.municipalities["A1"]
    schools = [
        world.schools["A1a"],
        world.schools["A1b"],
        SchoolFactory(municipality=muni),
        SchoolFactory(municipality=muni),
    ]
    for school in schools:
        apply(school, work)
    # and a school in another municipality, which may repeat them
    apply(world.schools["A2a"], work)
    # when variants are generated
    generate(work)
    # then the 8 variants of the municipality are all different
    signatures = list(
        Variant.objects.filter(work=work, municipality_id=muni.pk).values_list(
            "signature", flat=True
        )
    )
    assert len(signatures) == 8
    assert len(set(signatures)) == 8
    # and each school's two variants differ in every column
    for kit in Kit.objects.filter(work=work):
        first, second = (v.items for v in kit.variants.order_by("number"))
        assert all(a != b for a, b in zip(first, second, strict=True))


@pytest.mark.django_db
def test_a_bank_too_small_for_the_municipality_is_refused_before_generating(world) -> None:
    # given the 8-combination bank and 5 schools in one municipality (10 variants needed)
    work = _tiny_work()
    muni = world.municipalities["A1"]
    for school in [world.schools["A1a"], world.schools["A1b"]] + [
        SchoolFactory(municipality=muni) for _ in range(3)
    ]:
        apply(school, work)
    # when generation runs
    with pytest.raises(MaterialsError) as error:
        generate(work)
    # then it says why in Russian, and nothing was generated
    assert "только 8 различных вариантов, а нужно не меньше 10" in error.value.message
    assert not Kit.objects.filter(work=work).exists()


@pytest.mark.django_db
def test_a_printed_identifier_leads_the_federal_operator_to_the_school(world) -> None:
    # given generated kits
    work = russian4()
    apply(world.schools["B2b"], work)
    generate(work)
    variant = Variant.objects.get(kit__school=world.schools["B2b"], number=2)
    # when the identifier is looked up as typed from a page (lower case, O for 0)
    typed = variant.uid.lower().replace("0", "o")
    found = variant_lookup(actor=SYSTEM, uid=typed)
    # then it names the school, the work and the variant number
    assert found is not None
    assert found.school == world.schools["B2b"]
    assert found.variant.number == 2
    assert variant_lookup(actor=SYSTEM, uid="ZZZZZ-ZZZZZ") is None
