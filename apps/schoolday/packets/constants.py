"""What goes into every delivery packet besides the printed sheets (Saratov instruction, p. 7),
and the job kind that builds the packets."""

from __future__ import annotations

# «черновики из расчёта не менее 2 листов на одного участника»
DRAFT_SHEETS_PER_PARTICIPANT = 2
# «два возвратных доставочных пакета»: ВДП №1 used kits + protocol, ВДП №2 unused kits + drafts
RETURN_PACKETS_PER_ROOM = 2
# The background job kind (apps.core.jobs) of one packet's build.
PACKET_BUILD = "schoolday.packet_build"
# Bumped when the packet's layout changes, so every stored packet counts as stale.
PACKET_LAYOUT_VERSION = 1
