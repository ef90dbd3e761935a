"""terraform rules: one module per rule; `run` drives a rule over a document."""
