"""A participant code belongs to its register class (``ParticipantCode.school_class``).

The data step links the codes issued so far to the active register class of their school,
campaign and grade with the code's «Порядковый номер класса» — only when that class already
existed when the code was issued: a code older than the class was issued per grade (before the
school entered its register) and is left unlinked, so the next issue re-attaches it to the
classes that need codes (``apps/materials/services/codes.py``).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def link_codes(apps, schema_editor):
    code_model = apps.get_model("materials", "ParticipantCode")
    class_model = apps.get_model("classes", "SchoolClass")
    their_class = class_model.objects.filter(
        campaign_id=OuterRef("campaign_id"),
        school_id=OuterRef("school_id"),
        grade=OuterRef("grade"),
        number=OuterRef("class_number"),
        is_active=True,
        created_at__lte=OuterRef("created_at"),
    ).values("pk")[:1]
    code_model.objects.filter(school_class__isnull=True, class_number__isnull=False).update(
        school_class=Subquery(their_class)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0002_class_work_participants"),
        ("materials", "0003_ovz_marks"),
    ]

    operations = [
        migrations.AddField(
            model_name="participantcode",
            name="school_class",
            field=models.ForeignKey(
                blank=True,
                help_text="Класс реестра ОО, для которого выдан код (коды, выданные на "
                "параллель, — без класса).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="codes",
                to="classes.schoolclass",
                verbose_name="класс реестра",
            ),
        ),
        migrations.RunPython(link_codes, migrations.RunPython.noop),
    ]
