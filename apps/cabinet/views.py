"""«Что сделать сейчас»: the first screen of every role (thin: one selector, one template).
An expert's first screen is «Работы на проверку»; a commission marker's, its marking home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from apps.cabinet import selectors
from apps.registration.access import ActorViewMixin
from apps.registration.constants import Role


class TodoView(ActorViewMixin, View):
    """The actor's tasks and deadlines for the current campaigns, each linked to its page."""

    api_routes = ("api-cabinet-todo",)

    def get(self, request: HttpRequest) -> HttpResponse:
        if self.actor.role == Role.MARKER:
            # a checking commission's marker: its works to mark (apps.objectivity.marking)
            return redirect("objectivity-marking")
        if self.actor.role == Role.EXPERT:
            home = selectors.expert_home(actor=self.actor)
            if home is not None:
                ctx = {"home": home, "place": home.school}
                return render(request, "cabinet/expert.html", ctx)
        todo = selectors.todo_get(actor=self.actor)
        if todo is None:
            return render(request, "registration/no_role.html", status=403)
        return render(request, "cabinet/todo.html", {"todo": todo, "place": todo.unit})
