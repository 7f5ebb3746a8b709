"""Evaluation protocols on a run's frozen or copied backbone: offline linear probe and semi-supervised fine-tuning.

(The weighted k-NN monitor lives in ``evaluation/knn.py``.) Every protocol's hyper-parameters arrive in the request; the SDK
chooses them and names the protocol in every number it prints.
"""
