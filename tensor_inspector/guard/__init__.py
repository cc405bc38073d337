"""Flag operations that would mix devices, before they run.

rules.py decides (pure), op_table.py reads PyTorch's operator list, precheck.py reads a
cell's source, mode.py stops single operations while a cell runs.
"""
