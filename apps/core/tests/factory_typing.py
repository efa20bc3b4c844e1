"""Typed names for the factory_boy declarations that test factories use.

factory_boy marks itself typed but leaves the declaration constructors unannotated and
re-exports them from ``factory`` only implicitly, so strict mypy rejects ``factory.Sequence(...)``
in a checked module (the root conftest.py imports the registration factories). These are the
same classes, bound to names whose call signatures are spelled out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from factory import base, declarations


class _SubFactoryCall(Protocol):
    def __call__(
        self, factory: type[base.BaseFactory[Any]] | str, **kwargs: Any
    ) -> declarations.SubFactory: ...


# The resolver handed to lazy attributes is dynamic (``o.region.code``), hence ``Any``.
Sequence: Callable[[Callable[[int], object]], declarations.Sequence] = declarations.Sequence
LazyAttribute: Callable[[Callable[[Any], object]], declarations.LazyAttribute] = (
    declarations.LazyAttribute
)
LazyAttributeSequence: Callable[
    [Callable[[Any, int], object]], declarations.LazyAttributeSequence
] = declarations.LazyAttributeSequence
SubFactory: _SubFactoryCall = declarations.SubFactory
