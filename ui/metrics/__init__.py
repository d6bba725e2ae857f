"""The Performance dock, its models and charts."""
