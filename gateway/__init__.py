"""Payer Gateway: one GraphQL endpoint over many health-insurance payers."""
