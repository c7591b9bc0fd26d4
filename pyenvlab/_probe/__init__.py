"""Code that runs inside any target interpreter (3.10+), executed from its file.

Nothing in this package imports pyenvlab: a venv's or another version's python runs these
files directly, without pyenvlab installed there. Each script writes its JSON to a file named
on its command line, never to stdout (user code prints).
"""
