"""The policy model (pydantic v2, frozen) and its validation."""
