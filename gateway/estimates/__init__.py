"""Patient cost estimates: what a planned visit will cost the patient and each payer.

calculator.py is pure (benefits and allowed amounts in, shares and plain-words steps out);
benefit_terms.py reads a payer's benefits into those terms; allowed.py finds allowed amounts (fee
schedule, past remittances); service.py puts them together for the GraphQL field.
"""
