"""The practice's ledger: remittances fetched, uploaded or typed in, posted once to our claims."""
