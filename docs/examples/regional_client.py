#!/usr/bin/env python3
"""An example client of the portal's API for a regional centre (РЦОИ): a starting point.

It uses only ``requests`` and the documented API (docs/api.md):

1. logs in (``POST /api/v1/auth/token/``) and sends the token with every request;
2. finds the region's aggregate of a work (``GET /api/v1/analytics/?level=region``): the work
   asked for with ``--work``, else the newest work with results;
3. lists the region's schools late with that work's results (``GET /api/v1/results/monitoring/
   regions/{region}/works/{work}/schools/?state=overdue``: not uploaded, the deadline has
   passed), page by page;
4. downloads the region's Ф3 report «Статистика по отметкам» as xlsx
   (``GET /api/v1/analytics/{id}/marks.xlsx``).

    python regional_client.py --base https://vpr.example.ru --username reg66 --out f3.xlsx

The password is read from the ``VPR_PASSWORD`` environment variable (or asked for), never
from the command line; ``--code`` passes the one-time code when two-factor login is on.
Errors answer ``{"code": …, "detail": …}`` (docs/api.md): the script prints ``detail`` and
exits with status 1.
"""

# ruff: noqa: T201 - a command-line tool: printing is its output

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

import requests

TIMEOUT = 60  # seconds per request


class ApiError(Exception):
    """A refusal of the API: its HTTP status, machine code and Russian text."""

    def __init__(self, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        self.status = response.status_code
        self.code = body.get("code", "")
        detail = body.get("detail") or response.reason
        super().__init__(f"{self.status} {self.code}: {detail}")


class Portal:
    """A logged-in session of the API (one token for this device)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/") + "/api/v1/"
        self.session = requests.Session()

    def login(self, username: str, password: str, code: str = "") -> None:
        body = {"username": username, "password": password}
        if code:
            body["code"] = code
        token = self._check(
            self.session.post(self.base + "auth/token/", json=body, timeout=TIMEOUT)
        )
        self.session.headers["Authorization"] = f"Token {token.json()['token']}"

    def logout(self) -> None:
        self.session.post(self.base + "auth/token/revoke/", timeout=TIMEOUT)

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(self.base + path, params=params, timeout=TIMEOUT)
        return self._check(response).json()

    def pages(self, path: str, **params: Any) -> list[Any]:
        """Every row of a paged list (``results`` and ``next`` of each page)."""
        rows: list[Any] = []
        page = self.get(path, **params)
        while True:
            rows.extend(page["results"])
            if not page.get("next"):
                return rows
            page = self._check(self.session.get(page["next"], timeout=TIMEOUT)).json()

    def download(self, path: str, target: str) -> int:
        response = self._check(self.session.get(self.base + path, timeout=TIMEOUT))
        with open(target, "wb") as out:
            out.write(response.content)
        return len(response.content)

    @staticmethod
    def _check(response: requests.Response) -> requests.Response:
        if response.status_code >= 400:
            raise ApiError(response)
        return response


def run(args: argparse.Namespace, password: str) -> None:
    portal = Portal(args.base)
    portal.login(args.username, password, args.code)
    try:
        filters = {"level": "region"}
        if args.work:
            filters["work"] = args.work
        aggregates = portal.pages("analytics/", **filters)
        if not aggregates:
            raise SystemExit("Нет рассчитанной статистики региона по этой работе.")
        region = aggregates[0]  # the newest campaign first
        work = f"{region['subject']}, {region['grade']} класс ({region['campaign']})"
        print(f"Регион: {region['unit']}")
        print(f"Работа: {work}, id {region['work_id']}")

        late = portal.pages(
            f"results/monitoring/regions/{region['unit_id']}/works/{region['work_id']}/schools/",
            state=args.state,
        )
        print(f"ОО, не загрузившие результаты в срок: {len(late)}")
        for school in late:
            print(
                f"  {school['code']}\t{school['name']}\t{school['municipality']}\t"
                f"{school['state_label']}\tсрок {school['deadline_at']}"
            )

        size = portal.download(f"analytics/{region['id']}/marks.xlsx", args.out)
        print(f"Ф3 «Статистика по отметкам» региона: {args.out} ({size} байт)")
    finally:
        portal.logout()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base", required=True, help="адрес портала, например https://vpr.example.ru"
    )
    parser.add_argument("--username", required=True, help="логин регионального координатора")
    parser.add_argument("--code", default="", help="одноразовый код (если включён)")
    parser.add_argument(
        "--work", type=int, default=None, help="id работы (по умолчанию — последняя)"
    )
    parser.add_argument(
        "--state",
        default="overdue",
        help="состояние загрузки: overdue (по умолчанию), missing, waiting, late, on_time, all",
    )
    parser.add_argument("--out", default="f3.xlsx", help="куда сохранить Ф3 (xlsx)")
    args = parser.parse_args(argv)
    password = os.environ.get("VPR_PASSWORD") or getpass.getpass("Пароль: ")
    try:
        run(args, password)
    except ApiError as exc:
        print(f"Ошибка API: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
