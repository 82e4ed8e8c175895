"""Renderers: findings and summaries -> text or JSON. Formatting only."""
