"""beancan: an open-source social customer care hub."""

__version__ = "0.1.0"
