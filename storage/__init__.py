"""Persistence: SQLAlchemy 2 async models, repositories that return domain types, and Alembic migrations."""
