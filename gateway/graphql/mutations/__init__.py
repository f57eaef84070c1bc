"""Mutations. Input problems come back as data (``errors``), never half-written."""
