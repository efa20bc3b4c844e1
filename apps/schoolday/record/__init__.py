"""The record of the day: per room, materials handed out and returned (packets sealed)."""
