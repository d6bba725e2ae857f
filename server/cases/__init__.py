"""Cases on the server: applying command batches, automatic escalation, the scope rule."""
