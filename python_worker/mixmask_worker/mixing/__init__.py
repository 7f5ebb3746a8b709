"""How each masker's inputs are made from a batch of views (the worker's mirror of the SDK's src/maskers/): MixMask's
mix and complement, Un-Mix's blend and CutMix box, the erase baselines' fill, and the mask rules a plan must obey."""
