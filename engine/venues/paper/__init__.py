"""The paper venue: simulated execution against replayed real prices."""
