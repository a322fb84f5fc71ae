"""The registry: names and configs to objects, one accepted form, one error message."""

import pytest

import dl_layers as L
from dl_layers.registry import LAYERS, Registry, custom_object_scope, deserialize_layer, serialize_layer, snake_case


class Thing:
    def __init__(self, size=1):
        self.size = size

    def get_config(self):
        return {"size": self.size}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make():
    things = Registry("thing", base=Thing)
    things.register(Thing, aliases=("t",))
    return things


@pytest.mark.parametrize("name", ["Thing", "thing", "t"])
def test_a_class_answers_to_its_name_its_snake_case_and_aliases(name):
    assert type(make().get(name)) is Thing


def test_one_config_form_round_trips():
    things = make()
    config = things.serialize(Thing(size=3))
    assert config == {"class_name": "Thing", "config": {"size": 3}}
    assert things.deserialize(config).size == 3
    assert things.get(config).size == 3


def test_instances_classes_none_and_functions():
    things = Registry("thing", base=Thing, default="nothing")
    things.register(Thing)
    t = Thing()
    assert things.get(t) is t
    assert type(things.get(Thing)) is Thing
    assert things.get(None) == "nothing"

    def relu(x):
        return x

    functions = Registry("function")
    functions.register(relu)
    assert functions.get("relu") is relu and functions.serialize(relu) == "relu"
    assert functions.get(len) is len  # any callable passes through when there is no wrap


def test_unknown_names_list_the_valid_ones_and_point_to_custom_objects():
    with pytest.raises(ValueError, match=r"unknown thing 'thimg'; valid names: 'Thing', 't', 'thing'.*custom_objects"):
        make().get("thimg")


@pytest.mark.parametrize("bad", [{"class_name": "Thing", "config": {}, "extra": 1}, {"config": {}},
                                 {"class_name": 3}, {"class_name": "Thing", "config": [1]}])
def test_malformed_configs_say_what_the_form_is(bad):
    with pytest.raises(ValueError, match=r"a thing config must look like \{'class_name': 'Name', 'config'"):
        make().deserialize(bad)


def test_unregistered_objects_cannot_be_saved():
    with pytest.raises(ValueError, match="cannot save the thing '<lambda>': it is not registered"):
        make().serialize(lambda x: x)


def test_a_class_reusing_a_registered_name_from_elsewhere_gets_its_qualified_name():
    things = make()

    class Thing2(Thing):
        pass

    Thing2.__name__ = Thing2.__qualname__ = "Thing"  # another module's class called Thing
    Thing2.__module__ = "somewhere.else"
    things.register(Thing2)
    assert things.get("Thing").__class__ is Thing  # the first keeps the short name
    config = things.serialize(Thing2())
    assert config["class_name"] == "somewhere.else.Thing"
    assert type(things.deserialize(config)) is Thing2


def test_custom_objects_and_scopes_win_over_the_registry():
    things = make()

    class Mine(Thing):
        pass

    assert type(things.get("Mine", custom_objects={"Mine": Mine})) is Mine
    with custom_object_scope({"Mine": Mine}):
        assert type(things.deserialize({"class_name": "Mine", "config": {}})) is Mine
    with pytest.raises(ValueError, match="unknown thing 'Mine'"):
        things.get("Mine")


def test_a_wrapped_kind_wraps_plain_functions_also_when_found_by_name():
    wrapped = Registry("loss", wrap=lambda fn: ("wrapped", fn))

    def mine(y, p):
        return 0

    assert wrapped.get(mine) == ("wrapped", mine)
    assert wrapped.get("mine", custom_objects={"mine": mine}) == ("wrapped", mine)


def test_layers_register_themselves_and_round_trip():
    class ScaleForTheRegistryTest(L.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    assert LAYERS.lookup("ScaleForTheRegistryTest") is ScaleForTheRegistryTest
    layer = deserialize_layer(serialize_layer(ScaleForTheRegistryTest(3.0, name="triple")))
    assert type(layer) is ScaleForTheRegistryTest and layer.factor == 3.0 and layer.name == "triple"


def test_snake_case():
    assert [snake_case(n) for n in ("Dense", "BatchNormalization", "SGD", "RMSprop", "L1L2", "Conv2D")] == [
        "dense", "batch_normalization", "sgd", "rm_sprop", "l1_l2", "conv2d"]
