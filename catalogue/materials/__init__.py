"""Reusable digital material: licences explained, reuse registrations, the finder and OAI-PMH."""
