"""The GraphQL interface: a thin translation of queries and mutations onto services."""
