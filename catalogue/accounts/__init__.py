"""Accounts, roles, sessions, API tokens, and the permission rules every service applies."""
