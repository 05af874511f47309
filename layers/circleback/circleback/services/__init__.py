"""Use cases: each one reads through the repository, decides with the domain, writes back."""
