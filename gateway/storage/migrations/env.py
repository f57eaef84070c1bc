"""Alembic environment: runs on the connection the gateway hands it (see gateway.storage.migrate)."""

from alembic import context

from gateway.storage import load_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=load_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    # gateway.storage.migrate collects what a run applied, for `payer-gateway migrate` to report.
    on_version_apply=context.config.attributes.get("on_version_apply"),
)
with context.begin_transaction():
    context.run_migrations()
