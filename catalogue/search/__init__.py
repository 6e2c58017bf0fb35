"""Search: a whoosh index behind one facade (adapter.py), fed from the database by an outbox."""
