"""The practice's ledger: remittances posted to claims, and what the practice sees of its money."""
