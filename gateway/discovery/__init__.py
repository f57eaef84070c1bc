"""Coverage discovery: find a patient's insurance by demographics at every payer that can search,
grade each find, and keep the other coverage payers report (coordination-of-benefits hints)."""
