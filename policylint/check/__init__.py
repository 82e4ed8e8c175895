"""The lint engine: findings, the rule base class, the registry and the runner."""
