"""Results monitoring: who has uploaded results, by unit, and the overdue lists."""
