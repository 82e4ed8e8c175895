"""Loaders: files and folders -> text -> parsed JSON/YAML with positions -> policy documents."""
