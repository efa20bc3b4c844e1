"""Every task can be sent: Celery refuses a task whose soft time limit exceeds its hard one."""

from __future__ import annotations

from vpr_portal.celery import app


def test_every_task_has_a_soft_limit_below_its_hard_limit() -> None:
    # given every task of the project, with the settings' defaults for what it leaves unset
    app.loader.import_default_modules()
    default_soft = app.conf.task_soft_time_limit
    default_hard = app.conf.task_time_limit
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "core.job_sweep" in ours
    # when each one's effective limits are read
    wrong = {}
    for name, task in ours.items():
        soft = task.soft_time_limit if task.soft_time_limit is not None else default_soft
        hard = task.time_limit if task.time_limit is not None else default_hard
        if soft is not None and hard is not None and soft > hard:
            wrong[name] = (soft, hard)
    # then none has a soft limit above its hard limit
    assert wrong == {}
