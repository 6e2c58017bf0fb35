"""The audit trail: who changed what, when, with the content hash before and after."""
