"""Developer machine: `make run`. SQLite and eager tasks unless the environment says otherwise."""

from vpr_portal.settings.base import *
