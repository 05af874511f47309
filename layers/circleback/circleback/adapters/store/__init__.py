"""The DynamoDB adapter: the only place that talks to the table."""
