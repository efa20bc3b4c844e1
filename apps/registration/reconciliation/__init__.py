"""Reconciliation: the school-list file checked against the registry and applied."""
