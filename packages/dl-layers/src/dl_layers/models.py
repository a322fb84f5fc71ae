"""Models as ``keras.models`` offers them: ``from dl_layers import models``."""

from .model import Model
from .saving import load_model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "load_model"]
