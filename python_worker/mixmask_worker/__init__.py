"""mixmask worker: the PyTorch tensor plane of the mixmask SDK."""

__version__ = "0.1.0"
