"""Constants of the materials app."""

from __future__ import annotations

# The job kind of one kit's archive build (key ``materials.kit_build:<kit id>``).
KIT_BUILD = "materials.kit_build"
