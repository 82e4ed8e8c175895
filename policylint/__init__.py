"""policylint: lint and evaluate AWS IAM policies and AWS KMS key policies.

Layers, each importing only the ones before it:
``load`` (files -> parsed data with positions) -> ``model`` (pydantic policy
model) -> ``check`` / ``rules`` (findings) -> ``report`` (text, JSON) -> ``cli``.
Nothing is imported or read at package import time.
"""

__version__ = "0.1.0"
