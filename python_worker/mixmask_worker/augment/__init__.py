"""On-device augmentation of uint8 batches with per-sample parameters planned by the SDK."""
