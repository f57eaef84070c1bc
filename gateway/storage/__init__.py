"""The gateway's own storage: practices, keys, patients and coverages (SQLAlchemy 2 async)."""
