"""A synthetic demo country: regions, municipalities, schools and one account per role.

Everything is generated from fixed data by ``random.Random`` instances seeded per region and per
municipality, so the output never changes between runs and the small set is a strict subset of
the national one (same codes, same rows). Rows are inserted with ``bulk_create(ignore_conflicts=
True)`` keyed by their unique codes: running either size twice, or small then national, inserts
only what is missing.

The data lives in ``apps/demo/data/`` (read through ``apps.demo.data.load``):

- ``regions.json``: the 89 regions (``RegionSpec`` fields; ``defaults`` fills the ones a region
  leaves out);
- ``vocabulary.json``: generic district and village names, streets, college profiles;
- ``schools.json``: school-type weights, name bodies and owners, keyed by ``SchoolType`` value;
- ``accounts.json``: the demo accounts and their fictional staff.

Demo data only: production never runs it. The staff names are fictional; there are no
participants here at all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from guardian.shortcuts import assign_perm

from apps.demo.data import as_bool, as_int, as_list, as_object, as_str, as_strs, load
from apps.registration import constants as c
from apps.registration.access import A, Actor
from apps.registration.constants import Role, SchoolStatus, SchoolType
from apps.registration.models import Municipality, Region, School, User

SMALL = "small"
NATIONAL = "national"
SIZES = (SMALL, NATIONAL)

# The small set: these regions (west, Urals, far east: three different zones), their first
# municipalities and the first schools of each.
SMALL_REGIONS: dict[str, int] = {"39": 3, "66": 4, "41": 3}
SMALL_SCHOOLS_PER_MUNICIPALITY = 6

MAX_PER_LEVEL = 99  # codes hold two digits for the municipality and the school index
BATCH_SIZE = 2000
CLOSED_SHARE = 0.025  # closed schools stay listed (a school with history is never deleted)

# --- Reading the data files --------------------------------------------------------------------
# Values are checked and converted by the readers of ``apps.demo.data``; the tables below have
# exact types.


def _pair(value: object, where: str) -> tuple[str, str]:
    items = as_strs(value, where)
    if len(items) != 2:
        raise TypeError(f"{where}: expected two strings, got {value!r}")
    return items[0], items[1]


def _pairs(value: object, where: str) -> tuple[tuple[str, str], ...]:
    return tuple(_pair(v, f"{where}[{i}]") for i, v in enumerate(as_list(value, where)))


def _by_type(value: object, where: str) -> dict[str, Any]:
    """An object keyed by ``SchoolType`` values, in file order; its values still unchecked."""
    items = as_object(value, where)
    unknown = items.keys() - set(SchoolType.values)
    if unknown:
        raise TypeError(f"{where}: unknown school types {sorted(unknown)}")
    return {SchoolType(key): item for key, item in items.items()}


def _weights(value: object, where: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (kind, as_int(weight, f"{where}.{kind}")) for kind, weight in _by_type(value, where).items()
    )


def _bodies(value: object, where: str) -> dict[str, tuple[str, str]]:
    return {kind: _pair(pair, f"{where}.{kind}") for kind, pair in _by_type(value, where).items()}


# --- Accounts ----------------------------------------------------------------------------------


def _accounts() -> tuple[tuple[str, str, str, str], ...]:
    """(role value, username, full name, position) of each demo account, in file order."""
    out = []
    for i, raw in enumerate(as_list(load("accounts.json"), "accounts.json")):
        where = f"accounts.json[{i}]"
        account = as_object(raw, where)
        out.append(
            (
                Role(as_str(account["role"], f"{where}.role")).value,
                as_str(account["username"], f"{where}.username"),
                as_str(account["full_name"], f"{where}.full_name"),
                as_str(account["position"], f"{where}.position"),
            )
        )
    return tuple(out)


# (role value, username): one demo account per role. Browser tests import this list.
DEMO_ACCOUNTS: list[tuple[str, str]] = [(role, username) for role, username, _, _ in _accounts()]

# Fictional staff (coordinators are staff, not participants): full name, position.
_DEMO_STAFF: dict[str, tuple[str, str]] = {
    role: (full_name, position) for role, _, full_name, position in _accounts()
}

# --- Vocabulary --------------------------------------------------------------------------------

_VOCABULARY = as_object(load("vocabulary.json"), "vocabulary.json")

# Generic district stems with their centres, for the districts of a region beyond the listed
# real ones, and as villages inside districts. The first group are Soviet-era names found all
# over the country; the rest are church, personal and landscape names of Russian villages.
_SOVIET_PLACES = _pairs(_VOCABULARY["soviet_places"], "vocabulary.json soviet_places")
_OTHER_PLACES = _pairs(_VOCABULARY["other_places"], "vocabulary.json other_places")
_URBAN_STREETS = as_strs(_VOCABULARY["urban_streets"], "vocabulary.json urban_streets")
_RURAL_STREETS = as_strs(_VOCABULARY["rural_streets"], "vocabulary.json rural_streets")
_COLLEGES = as_strs(_VOCABULARY["colleges"], "vocabulary.json colleges")

# --- Regions -----------------------------------------------------------------------------------
# A region's ``places`` (one spec each), the administrative centre first:
#   г:Name[:centre]    city district («Городской округ «Name»»), all schools in the city;
#   о:Adj:centre       «Adj городской округ», a town with villages around it;
#   р:Adj:centre       «Adj муниципальный район» (or «… муниципальный округ», per region);
#   а:Full name        a district of a federal city (its schools are in the city);
#   "@Zone" at the end gives the municipality its own IANA zone.
# Regions marked native=True list all their municipalities; their village schools take
# Soviet-era village names only (the church and personal names of the generic pool would be
# out of place there).


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    time_zone: str
    postal: tuple[int, int]  # first three digits of the region's postcodes
    schools: int  # target number of schools in the national set
    places: tuple[str, ...]
    municipalities: int  # 0: exactly the listed places; more: fill with generic districts
    district_form: str  # «муниципальный район» or «муниципальный округ»
    native: bool
    city: str  # federal cities: the city itself («г. Москва»); "" elsewhere
    owner: tuple[str, str] | None  # federal cities: the state owner of their schools
    plain_school: bool  # Moscow names its schools «Школа № N»


_REGION_FIELDS = frozenset(f.name for f in fields(RegionSpec))


def _region_spec(raw: Mapping[str, Any], where: str) -> RegionSpec:
    """One region of ``regions.json``, its missing fields taken from ``defaults``."""
    unknown = raw.keys() - _REGION_FIELDS
    if unknown:
        raise TypeError(f"{where}: unknown fields {sorted(unknown)}")
    postal = as_list(raw["postal"], f"{where}.postal")
    if len(postal) != 2:
        raise TypeError(f"{where}.postal: expected [first, last], got {postal!r}")
    owner = raw["owner"]
    return RegionSpec(
        code=as_str(raw["code"], f"{where}.code"),
        name=as_str(raw["name"], f"{where}.name"),
        time_zone=as_str(raw["time_zone"], f"{where}.time_zone"),
        postal=(as_int(postal[0], f"{where}.postal"), as_int(postal[1], f"{where}.postal")),
        schools=as_int(raw["schools"], f"{where}.schools"),
        places=as_strs(raw["places"], f"{where}.places"),
        municipalities=as_int(raw["municipalities"], f"{where}.municipalities"),
        district_form=as_str(raw["district_form"], f"{where}.district_form"),
        native=as_bool(raw["native"], f"{where}.native"),
        city=as_str(raw["city"], f"{where}.city"),
        owner=None if owner is None else _pair(owner, f"{where}.owner"),
        plain_school=as_bool(raw["plain_school"], f"{where}.plain_school"),
    )


def _regions() -> tuple[RegionSpec, ...]:
    data = as_object(load("regions.json"), "regions.json")
    defaults = as_object(data["defaults"], "regions.json defaults")
    out = []
    for raw in as_list(data["regions"], "regions.json regions"):
        region = as_object(raw, "regions.json region")
        where = f"regions.json region {region.get('code')!r}"
        out.append(_region_spec({**defaults, **region}, where))
    return tuple(out)


REGIONS: tuple[RegionSpec, ...] = _regions()

REGIONS_BY_CODE: dict[str, RegionSpec] = {r.code: r for r in REGIONS}

# --- Generation --------------------------------------------------------------------------------

CITY, TOWNSHIP, DISTRICT, CITY_DISTRICT = "city", "township", "district", "city_district"


@dataclass(frozen=True)
class MunicipalityPlan:
    """One municipality of the national set, with the number of schools it gets there."""

    region: RegionSpec
    index: int  # 1-based; the code's three digits
    kind: str
    stem: str  # the city name or the district adjective
    centre: str  # «г. Асбест», «с. Никольское»
    name: str
    time_zone: str
    schools: int

    @property
    def code(self) -> str:
        return f"reg{self.region.code}_m{self.index:03d}"


@dataclass(frozen=True)
class SchoolRow:
    code: str
    full_name: str
    short_name: str
    address: str
    school_type: str
    status: str


def _rng(*parts: object) -> random.Random:
    """A generator seeded by a stable string (string seeds do not depend on PYTHONHASHSEED)."""
    return random.Random("vpr-demo:" + ":".join(str(p) for p in parts))


def _feminine(adjective: str) -> str:
    """«Никольский» → «Никольская», «Луговской» → «Луговская», «Верхний» → «Верхняя»."""
    out = []
    for word in adjective.split(" "):
        if word.endswith("ний"):
            out.append(word[:-2] + "яя")
        elif word.endswith(("ий", "ый", "ой")):
            out.append(word[:-2] + "ая")
        else:
            out.append(word)
    return " ".join(out)


def _parse_place(spec: str, region: RegionSpec) -> tuple[str, str, str, str, str]:
    """(kind, stem, centre, name, time zone) of one place spec."""
    spec, _, zone = spec.strip().partition("@")
    kind, _, rest = spec.partition(":")
    stem, _, centre = rest.partition(":")
    time_zone = zone or region.time_zone
    if kind == "г":
        return CITY, stem, centre or f"г. {stem}", f"Городской округ «{stem}»", time_zone
    if kind == "о":
        return TOWNSHIP, stem, centre, f"{stem} городской округ", time_zone
    if kind == "р":
        return DISTRICT, stem, centre, f"{stem} {region.district_form}", time_zone
    if kind == "а":
        return CITY_DISTRICT, stem, region.city, stem, time_zone
    raise ValueError(f"bad place spec {spec!r} in region {region.code}")


def _villages(region: RegionSpec) -> tuple[tuple[str, str], ...]:
    pool = _SOVIET_PLACES if region.native else _SOVIET_PLACES + _OTHER_PLACES
    return tuple((adj, centre) for adj, centre in pool if not centre.startswith("г. "))


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` schools by weight, each share between 2 and MAX_PER_LEVEL."""
    counts = [0] * len(weights)
    free = list(range(len(weights)))
    left = total
    while free:
        scale = left / sum(weights[i] for i in free)
        capped = [i for i in free if weights[i] * scale > MAX_PER_LEVEL]
        if not capped:
            for i in free:
                counts[i] = max(2, round(weights[i] * scale))
            break
        for i in capped:
            counts[i] = MAX_PER_LEVEL
            left -= MAX_PER_LEVEL
            free.remove(i)
    return counts


@cache
def municipality_plans(region_code: str) -> tuple[MunicipalityPlan, ...]:
    """Every municipality of a region in the national set, in code order (deterministic)."""
    region = REGIONS_BY_CODE[region_code]
    places = [_parse_place(p, region) for p in region.places]
    wanted = max(region.municipalities, len(places))
    if wanted > MAX_PER_LEVEL:
        raise ValueError(f"region {region.code}: more than {MAX_PER_LEVEL} municipalities")
    rng = _rng("region", region.code)
    taken = {stem for _, stem, _, _, _ in places}
    generic = [(adj, centre) for adj, centre in _SOVIET_PLACES + _OTHER_PLACES if adj not in taken]
    rng.shuffle(generic)
    for adj, centre in generic[: wanted - len(places)]:
        places.append((DISTRICT, adj, centre, f"{adj} {region.district_form}", region.time_zone))
    # The administrative centre gets about a fifth of the schools, the rest share by weight.
    weights = [rng.uniform(0.5, 1.5) for _ in places]
    if region.city == "" and len(places) > 1:
        weights[0] = sum(weights[1:]) / 4
    counts = _allocate(region.schools, weights)
    return tuple(
        MunicipalityPlan(
            region=region,
            index=i,
            kind=kind,
            stem=stem,
            centre=centre,
            name=name,
            time_zone=zone,
            schools=counts[i - 1],
        )
        for i, (kind, stem, centre, name, zone) in enumerate(places, start=1)
    )


_SCHOOLS = as_object(load("schools.json"), "schools.json")
# Weights of the school types in towns and in villages.
_URBAN_TYPES = _weights(_SCHOOLS["urban_types"], "schools.json urban_types")
_RURAL_TYPES = _weights(_SCHOOLS["rural_types"], "schools.json rural_types")
# Numbered bodies: (full body, short body) before «№ N».
_NUMBERED = _bodies(_SCHOOLS["numbered"], "schools.json numbered")
# Village bodies: (full body, short body) after the village adjective.
_VILLAGE = _bodies(_SCHOOLS["village"], "schools.json village")
# (full, short) owners of municipal schools; _owner() weighs them in this order.
_MUNICIPAL_OWNERS = _pairs(_SCHOOLS["municipal_owners"], "schools.json municipal_owners")
# The types the region owns, wherever they are.
_STATE_OWNERS = _bodies(_SCHOOLS["state_owners"], "schools.json state_owners")
# Separate number sequences: ordinary schools share one, these have their own.
_OWN_SEQUENCE = {
    SchoolType.COLLEGE,
    SchoolType.GYMNASIUM,
    SchoolType.LYCEUM,
    SchoolType.CORRECTIONAL,
    SchoolType.BOARDING,
}


def _pick(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


class _SchoolMaker:
    """Makes the schools of one municipality one by one; school N never depends on how many
    come after it, so the first N schools are the same in every size of the data set."""

    def __init__(self, plan: MunicipalityPlan) -> None:
        self.plan = plan
        self.region = plan.region
        self.rng = _rng("municipality", plan.code)
        rng = self.rng
        self.numbers: dict[str, int] = {}
        # Federal cities number their schools across the whole city: each district has a range
        # about twice as wide as its share of the city's schools.
        self.offset = self.own_offset = 0
        if plan.kind == CITY_DISTRICT:
            average = self.region.schools / len(municipality_plans(self.region.code))
            step = 10 * max(1, round(average * 2.2 / 10))
            self.offset = (plan.index - 1) * step
            self.own_offset = (plan.index - 1) * 20
        self.colleges = list(_COLLEGES)
        rng.shuffle(self.colleges)
        villages = [v for v in _villages(self.region) if v[1] != plan.centre]
        rng.shuffle(villages)
        self.villages = villages
        self.village_uses: dict[int, int] = {}
        self.centre_schools = 0
        lo, hi = self.region.postal
        # The regional centre has the region's first postcodes; other places are spread over it.
        self.prefix = lo if plan.index == 1 and plan.kind != CITY_DISTRICT else rng.randint(lo, hi)
        self.big_city = plan.kind == CITY_DISTRICT or (plan.index == 1 and plan.kind == CITY)
        self.postcode = self.prefix * 1000 + rng.randrange(1, 100) * 10
        self.rural_share = 0.0 if plan.kind in (CITY, CITY_DISTRICT) else 0.7

    # -- pieces ---------------------------------------------------------------------------------

    def _number(self, school_type: str) -> int:
        sequence = school_type if school_type in _OWN_SEQUENCE else "general"
        step = self.rng.choice((1, 1, 1, 1, 2, 3))
        start = self.offset if sequence == "general" else self.own_offset
        value = self.numbers.get(sequence, start) + step
        self.numbers[sequence] = value
        return value

    def _owner(self, school_type: str, rural: bool) -> tuple[str, str]:
        if school_type in _STATE_OWNERS:
            return _STATE_OWNERS[school_type]
        if self.region.owner:
            return self.region.owner
        if school_type in (SchoolType.GYMNASIUM, SchoolType.LYCEUM):
            weights = (45, 55, 0)
        elif rural:
            weights = (45, 10, 45)
        else:
            weights = (60, 22, 18)
        return self.rng.choices(_MUNICIPAL_OWNERS, weights=weights)[0]

    def _postcode(self, rural: bool) -> str:
        if self.big_city:
            value = self.prefix * 1000 + self.rng.randrange(0, 1000)
        elif rural:
            value = self.postcode + self.rng.randrange(1, 10)
        else:
            value = self.postcode
        return f"{value:06d}"

    def _address(self, settlement: str, rural: bool) -> str:
        streets = _RURAL_STREETS if rural else _URBAN_STREETS
        house = self.rng.randint(1, 40 if rural else 150)
        parts = [self._postcode(rural)]
        if not self.region.city:
            parts.append(self.region.name)
        in_district = self.plan.kind in (DISTRICT, TOWNSHIP) and not settlement.startswith("г. ")
        if in_district:
            suffix = "г.о." if self.plan.kind == TOWNSHIP else "район"
            parts.append(f"{self.plan.stem} {suffix}")
        parts += [settlement, self.rng.choice(streets), f"д. {house}"]
        return ", ".join(parts)

    def _village(self) -> tuple[str, int, str]:
        """The next village school's (adjective, number or 0, settlement)."""
        i = len(self.village_uses)
        if i >= len(self.villages):
            i = self.rng.randrange(len(self.villages))
        self.village_uses[i] = self.village_uses.get(i, 0) + 1
        adj, settlement = self.villages[i]
        uses = self.village_uses[i]
        return _feminine(adj), (uses if uses > 1 else 0), settlement

    # -- one school -----------------------------------------------------------------------------

    def make(self, index: int) -> SchoolRow:
        rng = self.rng
        plan = self.plan
        town_centre = plan.centre.startswith(("г. ", "пгт "))
        rural = index > 2 and rng.random() < self.rural_share
        if not rural and not town_centre:
            # The centre of the district is itself a village: its schools are named after it.
            rural = True
            self.centre_schools += 1
            adj, number, settlement = _feminine(plan.stem), self.centre_schools, plan.centre
        elif rural:
            adj, number, settlement = self._village()
        school_type = _pick(rng, _RURAL_TYPES if rural else _URBAN_TYPES)
        if school_type == SchoolType.COLLEGE and not self.colleges:
            school_type = SchoolType.SOSH
        owner_full, owner_short = self._owner(school_type, rural)
        if rural:
            body_full, body_short = _VILLAGE[school_type]
            suffix = f" № {number}" if number else ""
            full = f"{owner_full} «{adj} {body_full}{suffix}»"
            short = f"{owner_short} «{adj} {body_short}{suffix}»"
            address = self._address(settlement, rural=True)
        else:
            if school_type == SchoolType.COLLEGE:
                college = f"{self.colleges.pop()} колледж"
                if plan.kind == CITY_DISTRICT:  # unique across the city
                    college += f" № {self._number(school_type)}"
                full = f"{owner_full} «{college}»"
                short = f"{owner_short} «{college}»"
            else:
                number = self._number(school_type)
                body_full, body_short = _NUMBERED[school_type]
                if self.region.plain_school and school_type == SchoolType.SOSH:
                    body_full = body_short = "Школа"
                full = f"{owner_full} «{body_full} № {number}»"
                short = f"{owner_short} {body_short} № {number}"
            address = self._address(plan.centre, rural=False)
        closed = rng.random() < CLOSED_SHARE
        return SchoolRow(
            code=f"edu{self.region.code}{plan.index:02d}{index:02d}",
            full_name=full,
            short_name=short,
            address=address,
            school_type=str(school_type),
            status=SchoolStatus.CLOSED if closed else SchoolStatus.ACTIVE,
        )


def schools_of(plan: MunicipalityPlan, count: int) -> list[SchoolRow]:
    """The first ``count`` schools of a municipality (a prefix of the national list)."""
    maker = _SchoolMaker(plan)
    return [maker.make(i) for i in range(1, min(count, plan.schools) + 1)]


@dataclass(frozen=True)
class CountryPart:
    """What one size of the data set holds for one region."""

    region: RegionSpec
    municipalities: tuple[MunicipalityPlan, ...]
    schools_per_municipality: int  # 0: all of them


def country(size: str) -> list[CountryPart]:
    """The regions, municipalities and school counts of a data-set size."""
    if size == SMALL:
        return [
            CountryPart(
                REGIONS_BY_CODE[code],
                municipality_plans(code)[:count],
                SMALL_SCHOOLS_PER_MUNICIPALITY,
            )
            for code, count in SMALL_REGIONS.items()
        ]
    if size == NATIONAL:
        return [CountryPart(r, municipality_plans(r.code), 0) for r in REGIONS]
    raise ValueError(f"unknown size {size!r}")


def iter_schools(part: CountryPart) -> Iterator[tuple[MunicipalityPlan, SchoolRow]]:
    for plan in part.municipalities:
        count = part.schools_per_municipality or plan.schools
        for row in schools_of(plan, count):
            yield plan, row


# --- Writing -----------------------------------------------------------------------------------

_SYSTEM = Actor.system(reason="seed_demo")


@dataclass(frozen=True)
class SeedResult:
    size: str
    created: dict[str, int]  # model label → rows inserted by this run
    totals: dict[str, int]  # model label → rows now in the database


def country_exists() -> bool:
    """Whether any region exists (``seed_demo --if-empty`` then does nothing)."""
    return Region.objects.for_actor(_SYSTEM, A.VIEW_REGION).exists()


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.for_actor(_SYSTEM, A.VIEW_REGION).count(),
        "municipalities": Municipality.objects.for_actor(_SYSTEM, A.VIEW_MUNICIPALITY).count(),
        "schools": School.objects.for_actor(_SYSTEM, A.VIEW_SCHOOL).count(),
    }


def _insert(model: Any, rows: Iterator[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        model.objects.bulk_create(batch, ignore_conflicts=True)


@transaction.atomic
def demo_seed(*, size: str = SMALL) -> SeedResult:
    """Insert the demo country of ``size``; rows whose code exists already are left alone."""
    parts = country(size)
    before = _counts()
    _insert(
        Region,
        iter(
            Region(code=p.region.code, name=p.region.name, time_zone=p.region.time_zone)
            for p in parts
        ),
    )
    region_ids = dict(
        Region.objects.for_actor(_SYSTEM, A.VIEW_REGION)
        .filter(code__in=[p.region.code for p in parts])
        .values_list("code", "id")
    )
    _insert(
        Municipality,
        (
            Municipality(
                region_id=region_ids[p.region.code],
                code=plan.code,
                name=plan.name,
                time_zone=plan.time_zone,
            )
            for p in parts
            for plan in p.municipalities
        ),
    )
    municipality_ids = dict(
        Municipality.objects.for_actor(_SYSTEM, A.VIEW_MUNICIPALITY)
        .filter(region_id__in=region_ids.values())
        .values_list("code", "id")
    )
    # Skip the schools already there (a re-run builds no objects); conflicts are still ignored.
    existing = set(
        School.objects.for_actor(_SYSTEM, A.VIEW_SCHOOL)
        .filter(region_id__in=region_ids.values())
        .values_list("code", flat=True)
    )
    _insert(
        School,
        (
            School(
                municipality_id=municipality_ids[plan.code],
                region_id=region_ids[part.region.code],
                code=row.code,
                full_name=row.full_name,
                short_name=row.short_name,
                address=row.address,
                school_type=row.school_type,
                status=row.status,
                time_zone=plan.time_zone,
            )
            for part in parts
            for plan, row in iter_schools(part)
            if row.code not in existing
        ),
    )
    after = _counts()
    return SeedResult(size=size, created={k: after[k] - before[k] for k in after}, totals=after)


def _demo_unit(role: str, username: str) -> Region | Municipality | School | None:
    if role in (Role.FEDERAL, Role.MARKER):  # the marker: of the federal commission
        return None
    if role == Role.REGIONAL:
        return Region.objects.for_actor(_SYSTEM, A.VIEW_REGION).get(code=username[3:])
    if role == Role.MUNICIPAL:
        return Municipality.objects.for_actor(_SYSTEM, A.VIEW_MUNICIPALITY).get(code=username)
    return School.objects.for_actor(_SYSTEM, A.VIEW_SCHOOL).get(code=username.split("_")[0])


_GRANT_CODENAMES = {
    Role.REGIONAL.value: c.PERM_REGION,
    Role.MUNICIPAL.value: c.PERM_MUNICIPALITY,
    Role.SCHOOL_ORGANIZER.value: c.PERM_SCHOOL_ORGANIZER,
    Role.SCHOOL_TECH.value: c.PERM_SCHOOL_TECH,
    # the expert's account is linked to its expert of the day by apps.demo.schoolday
    Role.EXPERT.value: c.PERM_SCHOOL_EXPERT,
    # the federal commission's marker: a global permission (no unit); apps.demo.objectivity
    # makes it a marker of the federal review
    Role.MARKER.value: c.PERM_MARK_FEDERAL.split(".", 1)[1],
}


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str, bool]]:
    """One demo account per role (see DEMO_ACCOUNTS); (role, username, created) for each.

    Idempotent: an existing account keeps its row and grant; its password is reset to the demo
    password only if it differs.
    """
    out: list[tuple[str, str, bool]] = []
    for role, username in DEMO_ACCOUNTS:
        full_name, position = _DEMO_STAFF[role]
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "position": position},
        )
        if created or not user.check_password(settings.DEMO_PASSWORD):
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        unit = _demo_unit(role, username)
        if role == Role.FEDERAL:
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            assign_perm(c.PERM_FEDERAL, user)
        else:
            assign_perm(f"registration.{_GRANT_CODENAMES[role]}", user, unit)
        out.append((role, username, created))
    return out
