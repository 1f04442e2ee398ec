"""Builds the .npz fixtures with the Python standard library only (no NumPy), following the
NPY format specification (numpy.lib.format, version 1.0), so that the Rust reader is checked
against files it did not write. Run: python3 make_fixtures.py"""
import struct, zipfile

def npy(descr, shape, fortran, payload):
    shape_s = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(str(d) for d in shape) + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_s)
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload

members = {
    # float64 (2, 3) C order: [[1, 2, 3], [4, 5, 6.5]]
    "w.npy": npy("<f8", (2, 3), False, struct.pack("<6d", 1, 2, 3, 4, 5, 6.5)),
    # int32 big-endian (3,): [1, -2, 300]
    "counts.npy": npy(">i4", (3,), False, struct.pack(">3i", 1, -2, 300)),
    # uint8 (2, 2) Fortran order: [[1, 2], [3, 4]] stored column-major as 1, 3, 2, 4
    "img.npy": npy("|u1", (2, 2), True, bytes([1, 3, 2, 4])),
    # bool (2,): [True, False]
    "mask.npy": npy("|b1", (2,), False, bytes([1, 0])),
    # float32 scalar 0.25
    "beta.npy": npy("<f4", (), False, struct.pack("<f", 0.25)),
}
with zipfile.ZipFile("handmade.npz", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in members.items():
        z.writestr(name, data)
with zipfile.ZipFile("handmade_stored.npz", "w", zipfile.ZIP_STORED) as z:
    z.writestr("int8.npy", npy("|i1", (1, 3), False, struct.pack("3b", -1, 0, 1)))
    z.writestr("c.npy", npy("<c8", (1,), False, struct.pack("<2f", 1, 2)))
