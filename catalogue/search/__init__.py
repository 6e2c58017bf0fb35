"""Search: the whoosh index behind one adapter, fed from the database by a transactional outbox."""
