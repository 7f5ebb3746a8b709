"""Networks: the ResNet backbone family, the MoCo v2 projection head and the encoder that joins them."""
