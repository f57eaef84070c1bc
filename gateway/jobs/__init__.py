"""Long work off the request path: batch eligibility and its worklist."""
