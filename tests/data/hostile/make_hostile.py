#!/usr/bin/env python3
"""Writes the hand-made hostile files of tests/data/hostile from the Keras fixtures.

Each is a real Keras file (tests/data/keras) with one field changed; README.md says what each
reproduces. Standard library only. Usage: python3 tests/data/hostile/make_hostile.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS = os.path.join(os.path.dirname(HERE), "keras")


def heap_id(data, name):
    """Offset of the raw data (length, heap address, index) of a version-1 attribute message."""
    at = data.find(name.encode() + b"\0")
    assert at > 8 and data[at - 8] == 1, name
    pad = lambda n: (n + 7) // 8 * 8
    name_size, type_size, space_size = struct.unpack_from("<HHH", data, at - 6)
    return at + pad(name_size) + pad(type_size) + pad(space_size)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    model = bytearray(open(os.path.join(KERAS, "dense_relu.tfkeras2.model.h5"), "rb").read())

    bad_index = bytearray(model)
    struct.pack_into("<I", bad_index, heap_id(model, "keras_version") + 12, 0x7FFF)
    write("keras_version_bad_heap_index.h5", bad_index)

    outside = bytearray(model)
    struct.pack_into("<Q", outside, heap_id(model, "model_config") + 4, 1 << 40)
    write("model_config_heap_outside.h5", outside)

    # The contiguous layout message (version 3, class 1: address, size) of the 48-byte kernel.
    kernel = bytearray(model)
    at = max(i for i in range(len(model) - 18)
             if model[i] == 3 and model[i + 1] == 1 and struct.unpack_from("<Q", model, i + 10)[0] == 48)
    struct.pack_into("<Q", kernel, at + 2, len(model) - 8)
    write("kernel_data_outside.h5", kernel)

    # 37 bytes: .npy magic, format version 9, a 4-byte header length of 4 GiB.
    write("npy_version9_header_4gib.npy", b"\x93NUMPY\x09\x00\xff\xff\xff\xff" + b" " * 25)


if __name__ == "__main__":
    main()
