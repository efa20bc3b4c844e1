"""«Что сделать сейчас»: the first screen of every role (thin: one selector, one template)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from apps.cabinet import selectors
from apps.registration.access import ActorViewMixin


class TodoView(ActorViewMixin, View):
    """The actor's tasks and deadlines for the current campaigns, each linked to its page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        todo = selectors.todo_get(actor=self.actor)
        if todo is None:
            return render(request, "registration/no_role.html", status=403)
        return render(request, "cabinet/todo.html", {"todo": todo, "place": todo.unit})
