#!/usr/bin/env python3
"""Print the HDF5 tree of a Keras file: groups, datasets (shape, dtype) and
attributes with their HDF5 storage type (fixed vs variable-length string,
array of strings, ...). Usage: dump_h5.py FILE.h5 [--full-attrs]"""
import sys
import h5py


def attr_type(obj, key):
    aid = h5py.h5a.open(obj.id, key.encode())
    t = aid.get_type()
    sp = aid.get_space()
    shape = sp.shape
    if isinstance(t, h5py.h5t.TypeStringID):
        kind = "vlen-str" if t.is_variable_str() else "fixed-str[%d]" % t.get_size()
        cset = "utf8" if t.get_cset() == h5py.h5t.CSET_UTF8 else "ascii"
        kind += "/" + cset
    else:
        kind = str(aid.dtype)
    return "%s shape=%s" % (kind, shape)


def show(name, obj, full):
    ind = "  " * name.count("/")
    if isinstance(obj, h5py.Dataset):
        print("%s%s  dataset %s %s" % (ind, name, obj.shape, obj.dtype))
    else:
        print("%s%s/  group" % (ind, name))
    for k in obj.attrs:
        v = obj.attrs[k]
        s = repr(v)
        if not full and len(s) > 100:
            s = s[:100] + "..."
        print("%s  @%s [%s] = %s" % (ind, k, attr_type(obj, k), s))


def main():
    full = "--full-attrs" in sys.argv
    with h5py.File(sys.argv[1], "r") as f:
        show("", f, full)
        f.visititems(lambda n, o: show(n, o, full))


if __name__ == "__main__":
    main()
