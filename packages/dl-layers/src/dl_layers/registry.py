"""Names and configs: how ``"relu"``, ``"rmsprop"`` or a saved model find their objects again.

Everything a model is built from by name goes through one ``Registry`` per kind:
activations, initializers, regularizers, losses, metrics, optimizers, learning-rate
schedules and layers. A registry accepts one config form, everywhere:

* a **name**: ``"relu"``, ``"glorot_uniform"``, ``"GlorotUniform"`` (classes answer to
  their class name and its snake_case form, plus any aliases such as ``"mse"``);
* a **config dict** ``{"class_name": "Dense", "config": {...}}``, what ``serialize`` writes
  and ``from_config`` reads back;
* an object that already is of the kind (returned as it is), or a plain callable.

Classes register themselves when they are defined (the base classes call ``register`` in
``__init_subclass__``), so the layers of every chapter package, and your own, can be saved
and loaded without a list to edit. A class that reuses a registered name from another
module (your own ``Dense``) does not replace it: it is filed under its module-qualified
name. Objects that are not registered anywhere are looked up in ``custom_objects``.

Examples:
    >>> sizes = Registry("size")
    >>> @sizes.register(aliases=("xl",))
    ... class ExtraLarge:
    ...     def get_config(self):
    ...         return {}
    ...     @classmethod
    ...     def from_config(cls, config):
    ...         return cls(**config)
    >>> type(sizes.get("xl")).__name__, type(sizes.get("extra_large")).__name__
    ('ExtraLarge', 'ExtraLarge')
    >>> sizes.serialize(ExtraLarge())
    {'class_name': 'ExtraLarge', 'config': {}}
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator

__all__ = [
    "LAYERS",
    "Configurable",
    "Registrable",
    "Registry",
    "custom_object_scope",
    "deserialize_layer",
    "serialize_layer",
    "snake_case",
]


def snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``.

    Examples:
        >>> snake_case("BatchNormalization"), snake_case("SGD"), snake_case("L1L2"), snake_case("Conv2D")
        ('batch_normalization', 'sgd', 'l1_l2', 'conv2d')
    """
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)  # before each capitalised word
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()  # between a lower-case letter and a capital


# -- custom objects visible while a config is read -------------------------------------------

_SCOPES: list[dict] = []


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict | None) -> Iterator[None]:
    """Make ``{name: class or function}`` visible to every registry inside the ``with`` block.

    ``load_model(path, custom_objects=...)`` opens one, so that layers nested deep inside
    a saved model (a model inside a model) find your classes too.
    """
    _SCOPES.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _SCOPES.pop()


def _custom(name: str, custom_objects: dict | None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in reversed(_SCOPES):
        if name in scope:
            return scope[name]
    return None


class Registry:
    """Objects of one kind, found by name and rebuilt from configs.

    Args:
        kind: what the objects are, for error messages ("activation", "loss", ...).
        base: instances of this class are returned by ``get`` as they are.
        default: what ``get(None)`` returns (None, or e.g. the ``linear`` activation).
        wrap: turns a plain callable given to ``get`` into an object of this kind (a loss
            function into a ``Loss``); without it the callable is returned as it is.
    """

    def __init__(self, kind: str, base: type | None = None, default=None, wrap: Callable | None = None):
        self.kind, self.base, self.default, self.wrap = kind, base, default, wrap
        if base is not None and issubclass(base, Registrable):
            base.registry = self  # the base's subclasses register here from now on
        self._by_name: dict[str, object] = {}  # every accepted name -> object
        self._name_of: dict[object, str] = {}  # object -> the name it is saved under

    # -- filling it ---------------------------------------------------------------------------
    def register(self, obj=None, *, name: str | None = None, aliases: tuple = ()):
        """Register a class or function (also usable as a decorator, with or without arguments).

        A class answers to its name and its snake_case form; ``aliases`` add more names.
        """
        if obj is None:
            return lambda o: self.register(o, name=name, aliases=aliases)
        canonical = name or obj.__name__
        if not self._free(canonical, obj):  # a different object owns the name: qualify ours
            canonical = f"{obj.__module__}.{obj.__qualname__}"
        names = [canonical, *aliases]
        if isinstance(obj, type) and name is None:
            names.append(snake_case(obj.__name__))
        for n in names:
            if self._free(n, obj):
                self._by_name[n] = obj
        self._name_of[obj] = canonical
        return obj

    def _free(self, name: str, obj) -> bool:
        """True if ``name`` is unused, or used by ``obj`` or by an earlier definition of it
        (the same module and name: a re-run cell or a reloaded module replaces it)."""
        owner = self._by_name.get(name)
        return owner is None or owner is obj or (
            getattr(owner, "__module__", None) == getattr(obj, "__module__", 0)
            and getattr(owner, "__qualname__", None) == getattr(obj, "__qualname__", 0)
        )

    @property
    def _a(self) -> str:
        return f"{'an' if self.kind[0] in 'aeiou' else 'a'} {self.kind}"  # "an activation", "a loss"

    def names(self) -> list[str]:
        """The public names, sorted (what error messages list)."""
        return sorted(n for n in self._by_name if not n.startswith("_") and "." not in n)

    # -- reading it ---------------------------------------------------------------------------
    def lookup(self, name: str, custom_objects: dict | None = None):
        """The class or function registered as ``name`` (``custom_objects`` first)."""
        found = _custom(name, custom_objects)
        if found is None:
            found = self._by_name.get(name)
        if found is None:
            raise ValueError(
                f"unknown {self.kind} {name!r}; valid names: {', '.join(repr(n) for n in self.names())}. "
                "For your own classes or functions, import them before loading, or pass custom_objects="
                f"{{{name!r}: ...}}"
            )
        return found

    def get(self, identifier, custom_objects: dict | None = None):
        """The object for a layer's or ``compile``'s argument.

        None gives ``default``; a name gives the function, or a new instance of the class;
        a config dict is rebuilt; an instance of ``base`` is returned as it is; a class is
        instantiated; another callable goes through ``wrap``.
        """
        if identifier is None:
            return self.default
        if isinstance(identifier, str):
            found = self.lookup(identifier, custom_objects)
            if isinstance(found, type):
                return found()
            return self.wrap(found) if self.wrap is not None and callable(found) else found
        if isinstance(identifier, dict):
            return self.deserialize(identifier, custom_objects)
        if isinstance(identifier, type):
            if self.base is not None and issubclass(identifier, self.base):
                return identifier()
        elif self.base is not None and isinstance(identifier, self.base):
            return identifier
        elif callable(identifier):
            return self.wrap(identifier) if self.wrap is not None else identifier
        raise ValueError(
            f"expected {self._a} name, config dict, {self.kind} object or function, got {identifier!r} "
            f"({type(identifier).__name__}); valid names: {', '.join(repr(n) for n in self.names())}"
        )

    def serialize(self, obj):
        """A function as its name; an object as ``{"class_name": ..., "config": obj.get_config()}``.

        Raises:
            ValueError: the object is not registered (a lambda, a plain function, an
                instance of an unregistered class): it could not be found again by name.
        """
        if obj is None:
            return None
        if isinstance(obj, str):
            obj = self.get(obj)
        name = self._name_of.get(obj) if _hashable(obj) else None
        if name is not None and not isinstance(obj, type):
            return name
        name = self._name_of.get(type(obj))
        if name is not None and hasattr(obj, "get_config"):
            return {"class_name": name, "config": obj.get_config()}
        what = getattr(obj, "__name__", None) or type(obj).__name__
        raise ValueError(
            f"cannot save the {self.kind} {what!r}: it is not registered, so loading could not find it again "
            f"(lambdas and plain functions never can); use a built-in {self.kind} or a subclass of one"
        )

    def deserialize(self, config, custom_objects: dict | None = None):
        """Rebuild what ``serialize`` wrote (a name goes through ``get``)."""
        if isinstance(config, str):
            return self.get(config, custom_objects)
        if (not isinstance(config, dict) or not isinstance(config.get("class_name"), str)
                or set(config) - {"class_name", "config"} or not isinstance(config.get("config", {}), dict)):
            raise ValueError(
                f"{self._a} config must look like {{'class_name': 'Name', 'config': {{...}}}}, got {config!r}"
            )
        found = self.lookup(config["class_name"], custom_objects)
        if not isinstance(found, type):
            return found
        with custom_object_scope(custom_objects):
            return found.from_config(dict(config.get("config") or {}))


class Registrable:
    """A base class whose subclasses register themselves, in ``cls.registry``, when defined.

    ``class MyLoss(Loss)`` is found by ``get("MyLoss")`` (and by a saved model) from then
    on; ``class MeanSquaredError(..., aliases=("mse",))`` adds names; ``register=False``
    keeps a helper class out. ``Registry(kind, base=TheBase)`` sets ``TheBase.registry``.
    """

    registry: Registry | None = None

    def __init_subclass__(cls, register: bool = True, aliases: tuple = (), **kwargs):
        super().__init_subclass__(**kwargs)
        if register and cls.registry is not None:
            cls.registry.register(cls, aliases=aliases)


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


#: Every Layer subclass (models included), filled as the classes are defined
#: (``Layer`` sets itself as the base when it is defined).
LAYERS = Registry("layer")


def serialize_layer(layer) -> dict:
    """``{"class_name": ..., "config": layer.get_config()}`` of a layer or model."""
    return LAYERS.serialize(layer)


def deserialize_layer(config: dict, custom_objects: dict | None = None):
    """Rebuild a layer or model from ``serialize_layer``'s output."""
    return LAYERS.deserialize(config, custom_objects)


class Configurable:
    """``get_config``, ``from_config`` and ``repr`` for objects rebuilt from their constructor
    arguments (initializers, regularizers, learning-rate schedules).

    A subclass lists its constructor arguments in ``get_config``; ``from_config`` calls the
    class with them, and ``repr`` shows them: ``L2(l2=0.001)``.
    """

    def get_config(self) -> dict:
        """The constructor arguments, as a dict of plain Python values."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild the object from ``get_config()``'s dict."""
        if not isinstance(config, dict):
            raise TypeError(f"{cls.__name__}.from_config: argument `config` must be a dict, got {config!r}")
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
