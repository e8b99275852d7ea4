#!/bin/sh
# The layering that README.md's internals section draws, checked against
# every #include of src/ and include/ (scripts/check-layers.py).
exec /usr/bin/python3 "$top_srcdir/scripts/check-layers.py" "$top_srcdir"
