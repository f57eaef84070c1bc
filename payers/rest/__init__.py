"""The REST payer adapter: JSON-over-HTTPS payer APIs in the shape of the sandbox REST payer."""
