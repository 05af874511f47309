"""Who may do what: the signed one-click link tokens (pure) and the JSON API's personal access tokens."""
