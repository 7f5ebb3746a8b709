"""Export of a trained backbone: safetensors, TorchScript, ONNX and detectron2's pickle (backbone_export.py)."""
