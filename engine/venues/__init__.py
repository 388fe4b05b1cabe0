"""Venue adapters: paper (default), ccxt exchanges, web3 DEX. Registration lives in ``registry.py``."""
