"""Nested structures of tensors: a tensor, or lists/tuples/dicts of them.

Models with several inputs or outputs pass such structures around; these three helpers
walk them without caring which leaves they hold.
"""

from __future__ import annotations


def flatten(structure) -> list:
    """The leaves of ``structure`` in order (dicts in insertion order).

    Examples:
        >>> flatten({"a": 1, "b": [2, (3, 4)]})
        [1, 2, 3, 4]
    """
    if isinstance(structure, list | tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """Apply ``fn`` to every leaf, keeping the structure.

    Examples:
        >>> map_structure(lambda v: v * 10, [1, {"x": 2}])
        [10, {'x': 20}]
    """
    if isinstance(structure, list):
        return [map_structure(fn, item) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, item) for key, item in structure.items()}
    return fn(structure)


def pack_as(structure, leaves):
    """Rebuild ``structure`` with ``leaves`` (as returned by ``flatten``) in place of its leaves.

    Examples:
        >>> pack_as([0, {"x": 0}], [5, 6])
        [5, {'x': 6}]
    """
    it = iter(leaves)
    packed = map_structure(lambda _: next(it), structure)
    if next(it, _END) is not _END:
        raise ValueError("pack_as: more leaves than the structure holds")
    return packed


_END = object()
