"""Cases: the model, commands, the one state machine, time limits, routing and the queue's views."""
