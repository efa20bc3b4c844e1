"""Fixtures of the objectivity tests: the shared scene (apps/objectivity/tests/scene.py)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.objectivity.tests.scene import IN_WINDOW, Scene, build_scene
from conftest import World


@pytest.fixture
def scene(world: World, time_machine: Any) -> Scene:
    time_machine.move_to(IN_WINDOW, tick=False)
    return build_scene(world)
