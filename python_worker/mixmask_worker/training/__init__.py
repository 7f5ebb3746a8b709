"""One training run: its networks, the step (inputs, branches, loss assembly, momentum update, queue), and its
checkpoint file."""
