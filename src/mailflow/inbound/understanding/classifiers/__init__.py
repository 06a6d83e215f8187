"""The classifiers, one module per kind of inbound mail; their order lives in ``classify.py``."""
