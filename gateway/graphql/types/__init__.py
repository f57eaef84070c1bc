"""GraphQL object types. Most read the model's frozen dataclasses directly (no copying)."""
