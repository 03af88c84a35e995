"""Custom Rasa NLU components (referenced by dotted path from config.yml)."""
