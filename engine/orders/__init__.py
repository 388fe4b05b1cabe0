"""The order management system: the order state machine and the OMS that persists and routes orders."""
