"""Execution algorithms: parent orders worked as child orders (TWAP, VWAP, iceberg) and brackets
(take-profit and stop-loss after the entry fills). See ``service.py``."""
