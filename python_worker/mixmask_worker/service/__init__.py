"""The gRPC face of the worker: the servicer and its handler table, the Train stream, the run registry, access
control, the wire conventions (protocol version, error trailers) and injected faults for the reliability tests."""
