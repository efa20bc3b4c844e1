"""No name anywhere: no model of the families app has a field that could hold a pupil's name
(no name-like field, no free text: the only text is the register's class label)."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models

NAME_LIKE = re.compile(r"name|fio|surname|pupil|student|child|note|comment|text", re.I)


def test_no_field_of_the_families_models_can_hold_a_name() -> None:
    # given every model of the app and each of its own concrete fields
    found = list(apps.get_app_config("families").get_models())
    assert [m.__name__ for m in found] == ["FamiliesInformed"]
    for model in found:
        fields = [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]
        # then no field is named like a person's name or a free comment
        assert not [f.name for f in fields if NAME_LIKE.search(f.name)], model
        # and the only text is a short class label («4А»), never a free text
        texts = [f for f in fields if isinstance(f, models.CharField | models.TextField)]
        assert [(f.name, f.max_length) for f in texts] == [("class_label", 16)]
        # and the people it points at are staff accounts, never pupils
        people = [f.name for f in fields if f.is_relation and f.related_model.__name__ == "User"]
        assert people == ["informed_by"]
