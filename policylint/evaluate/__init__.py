"""IAM semantics: matching requests against statements (and, next, full authorization)."""
