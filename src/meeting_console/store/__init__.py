"""Persistence: SQLAlchemy models, engine setup and migrations. No Qt."""
