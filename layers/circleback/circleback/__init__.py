"""circleback: keep the people who know your work best within reach."""

__version__ = "0.1.0"
