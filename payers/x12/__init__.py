"""X12 5010 payer adapter: envelopes, 270/271, 276/277, 835, 837P with 999/277CA, CORE transport."""
