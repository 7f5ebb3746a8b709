"""The safetensors format (Hugging Face), written and read by hand.

Why by hand: the worker must start and export with torch, numpy, grpcio and protobuf only (the GPU machines'
preinstalled Python), and the format is small enough to write in a screen of code:

    8 bytes   N, the header length, unsigned little-endian
    N bytes   JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}
    rest      the tensors' bytes, little-endian, row-major, at their offsets (relative to the end of the header)

The tests read our files with the reference ``safetensors`` package and read its files with ``read_safetensors``.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
import torch

from mixmask_worker.service.protocol import WorkerError

# torch dtype <-> safetensors dtype name <-> numpy little-endian dtype, for the dtypes a backbone's state holds.
_DTYPES: dict[torch.dtype, tuple[str, str]] = {
    torch.float32: ("F32", "<f4"),
    torch.float16: ("F16", "<f2"),
    torch.float64: ("F64", "<f8"),
    torch.int64: ("I64", "<i8"),
    torch.int32: ("I32", "<i4"),
    torch.uint8: ("U8", "|u1"),
}
_BY_NAME: dict[str, tuple[torch.dtype, str]] = {name: (dtype, np_dtype) for dtype, (name, np_dtype) in _DTYPES.items()}
# The reference implementation pads the header with spaces so the data starts on an 8-byte boundary.
_ALIGNMENT = 8
# A header larger than this is not a backbone's: refuse it instead of allocating it.
_MAX_HEADER_BYTES = 100 * 1024 * 1024


def safetensors_bytes(tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> bytes:
    """The file's bytes for ``tensors`` (in key order; moved to the CPU) and string ``metadata``."""
    header: dict[str, Any] = {"__metadata__": dict(metadata)}
    blobs: list[bytes] = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _DTYPES:
            raise ValueError(f"tensor {name!r} has dtype {tensor.dtype}; safetensors export supports {list(_DTYPES)}")
        dtype_name, np_dtype = _DTYPES[tensor.dtype]
        data = np.ascontiguousarray(tensor.detach().cpu().numpy().astype(np_dtype, copy=False)).tobytes()
        header[name] = {"dtype": dtype_name, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % _ALIGNMENT)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def read_safetensors(data: bytes, source: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of a safetensors file's bytes; ``source`` names the file in errors.

    Raises WorkerError(CHECKPOINT_INVALID) for anything that is not a well-formed safetensors file.
    """

    def invalid(reason: str) -> WorkerError:
        return WorkerError("CHECKPOINT_INVALID", f"{source} is not a valid safetensors file: {reason}")

    if len(data) < 8:
        raise invalid(f"{len(data)} bytes, shorter than the 8-byte header length")
    (header_length,) = struct.unpack("<Q", data[:8])
    if header_length > min(_MAX_HEADER_BYTES, len(data) - 8):
        raise invalid(f"the header claims {header_length} bytes, the file holds {len(data) - 8} after the length")
    try:
        header = json.loads(data[8 : 8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise invalid(f"the header is not JSON ({error})") from error
    if not isinstance(header, dict):
        raise invalid("the header is not a JSON object")
    body = memoryview(data)[8 + header_length :]
    metadata_raw = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata_raw, dict) or not all(isinstance(v, str) for v in metadata_raw.values()):
        raise invalid("__metadata__ is not an object of strings")
    tensors: dict[str, torch.Tensor] = {}
    for name, entry in header.items():
        if not isinstance(entry, dict) or entry.get("dtype") not in _BY_NAME:
            raise invalid(f"tensor {name!r} has dtype {entry.get('dtype') if isinstance(entry, dict) else entry!r}")
        dtype, np_dtype = _BY_NAME[entry["dtype"]]
        shape, offsets = entry.get("shape"), entry.get("data_offsets")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise invalid(f"tensor {name!r} has shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
            raise invalid(f"tensor {name!r} has data_offsets {offsets!r}")
        begin, end = offsets
        expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(np_dtype).itemsize
        if not (0 <= begin <= end <= len(body)) or end - begin != expected:
            raise invalid(
                f"tensor {name!r} spans bytes [{begin}, {end}) of a {len(body)}-byte body; its {entry['dtype']} "
                f"shape {shape} needs {expected} bytes"
            )
        array = np.frombuffer(body[begin:end], dtype=np_dtype).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("="), copy=True)).to(dtype)
    return tensors, {str(k): str(v) for k, v in metadata_raw.items()}
