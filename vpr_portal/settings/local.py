"""Developer machine: `make run`. SQLite and eager tasks unless the environment says otherwise."""

from vpr_portal.settings.base import *

# The demo app (`seed_demo`): local and test settings only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "apps.demo"]
