"""The whole registration chain, federal operator → region → municipality → school, in one go."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.constants import SchoolStatus
from apps.registration.models import User
from apps.registration.tests.accounts.helpers import (
    apply_upload,
    download_latest_credentials,
    fill,
    login_first_time,
    person,
    xlsx_upload,
)
from apps.registration.tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory


@pytest.mark.django_db
def test_accounts_chain_from_federal_to_school(world):
    # given a region nobody serves yet: two municipalities, two active and one closed school
    region = RegionFactory(name="Цепочечная область")
    m1 = MunicipalityFactory(region=region, name="Первый район")
    MunicipalityFactory(region=region, name="Второй район")
    s1 = SchoolFactory(municipality=m1, short_name="Школа № 1")
    s2 = SchoolFactory(municipality=m1, short_name="Школа № 2")
    SchoolFactory(municipality=m1, short_name="Закрытая школа", status=SchoolStatus.CLOSED)
    federal = world.client_for("federal")

    # when the federal operator creates the regional coordinator
    response = federal.post(
        reverse("region-coordinator", args=[region.pk]), {**person("R"), "mode": "replace"}
    )
    # then it is sent to its credentials files and gets the new login once
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials-list")
    creds = download_latest_credentials(federal, world.users["federal"])
    reg_login = f"reg{region.code}"
    assert list(creds) == [reg_login]

    # when the regional coordinator logs in with the one-time password and changes it
    regional = login_first_time(reg_login, creds[reg_login])
    # then its cabinet is its first screen, which leads to its region
    cabinet = regional.get(reverse("cabinet"))
    assert cabinet.status_code == 200
    assert reverse("region-detail", args=[region.pk]) in cabinet.content.decode()

    # when it downloads the template of municipal coordinators, fills one row and uploads it
    template = regional.get(reverse("municipal-coordinators-template", args=[region.pk]))
    assert template.status_code == 200
    filled = fill(template.content, AccountFileKind.MUNICIPAL_COORDINATORS, {m1.code: person("M")})
    response = regional.post(
        reverse("municipal-coordinators", args=[region.pk]), {"file": xlsx_upload(filled)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    preview = regional.get(response["Location"])
    # then the preview shows one account to create, and nothing is created yet
    assert "Будет создано: <strong>1</strong>" in preview.content.decode()
    assert not User.objects.filter(username=m1.code).exists()
    batch_id = preview.context["batch"].pk

    # when it applies the upload and downloads the credentials
    response = apply_upload(regional, batch_id)
    assert response.status_code == 302
    creds = download_latest_credentials(regional, User.objects.get(username=reg_login))
    assert list(creds) == [m1.code]

    # when the municipal coordinator logs in, changes the password and uploads its schools
    municipal = login_first_time(m1.code, creds[m1.code])
    cabinet = municipal.get(reverse("cabinet"))
    assert cabinet.status_code == 200
    assert reverse("municipality-detail", args=[m1.pk]) in cabinet.content.decode()
    template = municipal.get(reverse("school-organizers-template", args=[m1.pk]))
    filled = fill(
        template.content,
        AccountFileKind.SCHOOL_ORGANIZERS,
        {s1.code: person("S1"), s2.code: person("S2")},
    )
    response = municipal.post(
        reverse("school-organizers", args=[m1.pk]), {"file": xlsx_upload(filled)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    batch_id = int(response["Location"].rstrip("/").split("/")[-1])
    response = apply_upload(municipal, batch_id)
    assert response.status_code == 302
    creds = download_latest_credentials(municipal, User.objects.get(username=m1.code))
    # then both active schools (and not the closed one) got their organizer's login
    assert sorted(creds) == sorted([s1.code, s2.code])

    # when a school organizer logs in with its one-time password and changes it
    school = login_first_time(s1.code, creds[s1.code])
    # then its first screen leads to its school page
    cabinet = school.get(reverse("cabinet"))
    assert cabinet.status_code == 200
    assert reverse("school-detail", args=[s1.pk]) in cabinet.content.decode()
    page = school.get(reverse("school-detail", args=[s1.pk]))
    assert page.status_code == 200
    assert "Школа № 1" in page.content.decode()
    # and every step left its audit trail
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("account.create") == 1 + 1 + 2
    assert actions.count("accounts.upload") == 2
    assert actions.count("accounts.apply") == 2
    assert actions.count("credentials.download") == 3
    assert actions.count("auth.password_change") == 3
