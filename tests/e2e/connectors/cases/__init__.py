"""Contract cases: one module per platform, each with `CASE = ContractCase(...)`."""
