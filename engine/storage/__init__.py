"""Persistence for the engine (SQLAlchemy 2). ``db`` holds the shared declarative base and engine factory."""
