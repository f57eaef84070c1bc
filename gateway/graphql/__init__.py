"""The GraphQL API: one schema joining every configured payer."""
