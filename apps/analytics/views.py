"""HTML pages and the xlsx download of the analytics reports (thin: one selector, render)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from apps.analytics import selectors as sel
from apps.analytics import xlsx
from apps.analytics.models import MARKS, WorkAggregate
from apps.core.scoping import Level
from apps.registration.access import A, ActorViewMixin, ScopedViewMixin

REPORTS = (
    ("analytics-marks", "Статистика по отметкам"),
    ("analytics-scores", "Распределение первичных баллов"),
    ("analytics-tasks", "Выполнение заданий"),
    ("analytics-journal", "Сравнение отметок с отметками по журналу"),
    ("analytics-topics", "Достижение планируемых результатов"),
    ("analytics-groups", "Выполнение заданий группами участников"),
)


class AnalyticsIndexView(ActorViewMixin, View):
    """The works with reports of the actor's unit and of the units just below it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.actor.can(A.VIEW_ANALYTICS):
            return render(request, "analytics/index.html", {"aggregates": []})
        return render(
            request,
            "analytics/index.html",
            {"aggregates": sel.aggregate_list(actor=self.actor), "levels": sel.LEVEL_LABELS},
        )


class ReportView(ScopedViewMixin, View):
    """One report of one unit's aggregate; an embargoed report shows when it opens."""

    scoped_model = WorkAggregate
    action = A.VIEW_ANALYTICS
    template_name: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            report = sel.report_get(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        context: dict[str, Any] = {
            "report": report,
            "title": self.title,
            "reports": REPORTS,
            "marks": MARKS,
            "is_school": report.aggregate.level == Level.SCHOOL,
            "can_individual": self.actor.can(A.VIEW_INDIVIDUAL_RESULTS),
            "can_objectivity": self.actor.can(A.VIEW_OBJECTIVITY),
        }
        if report.embargo_until is not None:
            return render(request, "analytics/embargo.html", context)
        context.update(self.build(report))
        return render(request, self.template_name, context)


class MarksView(ReportView):
    template_name = "analytics/marks.html"
    title = "Статистика по отметкам"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": sel.marks_table(report)}


class ScoresView(ReportView):
    template_name = "analytics/scores.html"
    title = "Распределение первичных баллов"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"histogram": sel.histogram(report)}


class TasksView(ReportView):
    template_name = "analytics/tasks.html"
    title = "Выполнение заданий"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": sel.tasks_table(report)}


class JournalView(ReportView):
    template_name = "analytics/journal.html"
    title = "Сравнение отметок с отметками по журналу"

    def build(self, report: sel.Report) -> dict[str, Any]:
        gaps = sel.journal_gap_list(actor=self.actor, aggregate=report.aggregate)
        return {"table": sel.journal_table(report), "gaps": gaps}


class TopicsView(ReportView):
    template_name = "analytics/topics.html"
    title = "Достижение планируемых результатов"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": sel.topics_table(report)}


class GroupsView(ReportView):
    template_name = "analytics/groups.html"
    title = "Выполнение заданий группами участников"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": sel.groups_table(report)}


class IndividualView(ReportView):
    """Индивидуальные результаты: the school's own report, per participant code."""

    action = A.VIEW_INDIVIDUAL_RESULTS
    template_name = "analytics/individual.html"
    title = "Индивидуальные результаты"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            aggregate = sel.aggregate_get(actor=self.actor, pk=pk, action=self.action)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        if aggregate.level != Level.SCHOOL:
            raise Http404
        return super().get(request, pk)

    def build(self, report: sel.Report) -> dict[str, Any]:
        results = sel.individual_list(actor=self.actor, aggregate=report.aggregate)
        return {"results": results, "columns": report.columns}


class ObjectivityView(ReportView):
    """Objectivity markers of the schools under the unit (coordinators and federal only)."""

    action = A.VIEW_OBJECTIVITY
    template_name = "analytics/objectivity.html"
    title = "Признаки необъективности результатов"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            report, found = sel.objectivity_list(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        context = {
            "report": report,
            "title": self.title,
            "reports": REPORTS,
            "found": found,
            "can_objectivity": True,
        }
        if report.embargo_until is not None:
            return render(request, "analytics/embargo.html", context)
        return render(request, self.template_name, context)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response


class ReportPdfView(ReportView):
    """The unit's «Статистика по отметкам» and «Выполнение заданий» as one PDF."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from apps.analytics import pdf

        try:
            report = sel.report_get(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        if report.embargo_until is not None:
            return render(
                request,
                "analytics/embargo.html",
                {"report": report, "title": "Статистика по отметкам", "reports": REPORTS},
            )
        work = report.work
        tasks = sel.tasks_table(report)
        units = [f"{r.level_label}: {r.name}" for r in report.rows]
        data = pdf.ReportPdf(
            heading=[
                f"ВПР {work.campaign.year} {work.subject.name} {work.grade} класс",
                f"{report.unit_name}. Максимальный первичный балл: {work.max_score}. "
                f"Дата формирования: {timezone.localdate():%d.%m.%Y}",
            ],
            marks_header=["Уровень", "Наименование", "ОО", "Участников", "2", "3", "4", "5"],
            marks_rows=[
                [
                    line["row"].level_label,
                    line["row"].name,
                    line["schools"],
                    line["participants"],
                    *line["percents"],
                ]
                for line in sel.marks_table(report)
            ],
            tasks_header=["Задание", "Уровень", "Макс.", *units],
            tasks_rows=[
                [t["column"].label, t["column"].difficulty, t["column"].max_score]
                + [c["value"] for c in t["cells"]]
                for t in tasks
            ],
            tasks_levels=[[c["level"] for c in t["cells"]] for t in tasks],
            notes=[
                "Базовые задания (Б): ≥ 60 % — достаточно, < 57 % — недостаточно; повышенные и "
                "высокие (П, В): ≥ 30 %, < 28,5 %. Группы менее 10 участников малоинформативны."
            ],
        )
        return _download(pdf.report_pdf(data), "application/pdf", pdf.PDF_FILE_NAME)


class MarksXlsxView(ReportView):
    """Ф3_Статистика по отметкам.xlsx of the unit (embargoed like the page)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            report = sel.report_get(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        if report.embargo_until is not None:
            return render(
                request,
                "analytics/embargo.html",
                {"report": report, "title": "Статистика по отметкам", "reports": REPORTS},
            )
        work = report.work
        rows = [
            [line["row"].level_label, line["row"].name, line["schools"], line["participants"]]
            + [p if p is not None else "" for p in line["percents"]]
            for line in sel.marks_table(report)
        ]
        content = xlsx.marks_workbook(
            xlsx.MarksSheet(
                subject_code=work.subject.code,
                subject_name=work.subject.name,
                grade=work.grade,
                year=work.campaign.year,
                max_score=work.max_score,
                generated_on=timezone.localdate(),
                rows=rows,
            )
        )
        return _download(
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx.MARKS_FILE_NAME,
        )
