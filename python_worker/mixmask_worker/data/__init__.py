"""Datasets on the worker: the resident store, the on-disk cache, header checks, uploads, streamed datasets and the
zeromq PULL endpoint that receives their bytes."""
