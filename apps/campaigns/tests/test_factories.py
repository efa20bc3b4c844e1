import pytest

from apps.campaigns.tests.factories import WorkFactory


@pytest.mark.django_db
def test_default_work_is_russian_4_2026():
    # given the default work
    work = WorkFactory()
    # then it has the public structure: 15 columns summing to the maximum 24
    columns = list(work.columns.all())
    assert len(columns) == 15
    assert sum(c.max_score for c in columns) == work.max_score == 24
    # and its scale gives «2» 0–9, «3» 10–15, «4» 16–20, «5» 21–24
    assert [work.mark_for(s) for s in (0, 9, 10, 15, 16, 20, 21, 24)] == [2, 2, 3, 3, 4, 4, 5, 5]
