"""The demo's notices: published from three levels some days before the demo's today, with file
versions and partial reads; a second run adds nothing."""

from __future__ import annotations

import pytest

from apps.demo import country
from apps.demo.calendar import DemoCalendar
from apps.demo.notices import demo_notices_seed
from apps.notices import selectors
from apps.notices.models import Notice, NoticeFile, NoticeRead
from apps.registration.access import actor_for_user
from apps.registration.models import User


@pytest.mark.django_db
def test_demo_notices_are_dated_before_today_partly_read_and_idempotent(
    pinned: DemoCalendar,
) -> None:
    # given the demo country and accounts
    country.demo_seed(size=country.SMALL)
    country.demo_accounts_ensure()
    # when the notices are seeded twice on the pinned day
    first = demo_notices_seed(today=pinned.today)
    second = demo_notices_seed(today=pinned.today)
    # then three notices exist once, all published before today
    assert (first.created, second.created, second.existing) == (3, 0, 3)
    assert Notice.objects.count() == 3
    assert all(n.published_at.date() < pinned.today for n in Notice.objects.all())
    # and the federal instruction has two PDF versions, the older one dated earlier
    v1, v2 = NoticeFile.objects.filter(notice__author_level=0).order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    assert v1.uploaded_at < v2.uploaded_at
    assert v1.original_name.endswith(".pdf")
    assert NoticeRead.objects.count() == 4
    # and the demo school has read the federal one only: two unread remain, the badge's count
    school = actor_for_user(User.objects.get(username="edu660101"))
    assert selectors.notice_unread_count(actor=school) == 2
    # and its coordinators have contacts to show
    contacts = selectors.contacts_for(school)
    assert [c.phone for c in contacts] == ["+7 (343) 000-20-01", "+7 (343) 000-10-66"]
