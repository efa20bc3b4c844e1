"""Print planner and delivery packets of the school day (docs/school-day.md)."""
