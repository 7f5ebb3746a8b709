"""Loss-term kernels with autograd."""
