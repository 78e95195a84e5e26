"""modelreg: a self-hosted machine-learning model registry."""

__version__ = "0.1.0"
