"""Accounts: the account files (template, import, apply), credentials and specialists."""
