"""The census of keras.applications that going-further notebook 02 reads (scripts/census.py).

The stored file must be what the installed Keras gives. In the suite: it was made
with the installed Keras, it lists exactly the models keras.applications offers
now (found here another way than the script finds them), its counts agree with
its own layer rows, and the few models that together show every kind of layer
the census records are rebuilt and must give their stored entries exactly.
Cost on the 2-core course machine: the five rebuilt models (ConvNeXtTiny joined when
use_bias was recorded) and the imports take about 23 s of processor time (82 s of wall
time in one run while other jobs loaded both cores; the rebuild test 56 s of it); ConvNeXtTiny
is built once more for downsampling_layers (10 s wall in one run, loaded machine). The full
recompute, every model, takes 124-138 s of processor time and 2.4 GB (see
scripts/census.py): too slow for the suite, so it runs only with POOLVIZ_FULL_CENSUS=1,
as CI's own step (.ci/run): ``POOLVIZ_FULL_CENSUS=1 .venv/bin/python -m pytest tests/test_census.py``.
"""

import importlib.util
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("census_script", ROOT / "scripts" / "census.py")
census = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(census)

STORED = json.loads(census.CENSUS.read_text(encoding="utf-8"))
MODELS = STORED["models"]


def _features(entry):
    """Every kind of thing an entry records: a model showing each must be rebuilt."""
    found = {("head", entry["head"]), ("first", entry["first_downsampling"]["class"]),
             ("any size", entry["default_input_shape"][0] is None)}
    found |= {("pool", row["class"], row["downsamples"], row["padding"]) for row in entry["windowed_pooling"]}
    found |= {("conv", row["class"], row["use_bias"]) for row in entry["strided_convolutions"]}
    found |= {("global", row["class"]) for row in entry["global_pooling"]}
    found |= {("other", row["class"], row["rows_cols_lost"][0] > 0) for row in entry["other_size_changes"]}
    return found


def covering_models(models):
    """Greedy: the cheapest models (layers and weights to build) that together show every feature."""
    def cost(name):
        return models[name]["layers"] / 250 + models[name]["parameters"] / 1e8

    missing = set().union(*(_features(entry) for entry in models.values()))
    chosen = []
    while missing:
        name = min(models, key=lambda n: (-len(_features(models[n]) & missing), cost(n), n))
        chosen.append(name)
        missing -= _features(models[name])
    return sorted(chosen)


def test_the_census_was_made_with_the_installed_keras(keras):
    import tensorflow as tf

    made = (STORED["keras"], STORED["tensorflow"], STORED["backend"])
    assert made == (keras.__version__, tf.__version__, keras.backend.backend()), (
        f"the census was made with Keras, TensorFlow, backend {made}: run scripts/census.py again")
    assert STORED["weights"] is None


def test_it_lists_every_model_keras_applications_offers_now(keras):
    # Found another way than the script: the capitalised callables at the top of keras.applications.
    offered = sorted(name for name in dir(keras.applications)
                     if name[:1].isupper() and callable(getattr(keras.applications, name)))
    assert len(offered) >= 40
    assert sorted(MODELS) == offered == list(census.model_builders(keras))


def test_each_entry_agrees_with_itself():
    for name, entry in MODELS.items():
        pools = [row for row in entry["windowed_pooling"] if row["downsamples"]]
        assert all((max(row["strides"]) > 1) == row["downsamples"] for row in entry["windowed_pooling"]), name
        steps = sum(n for level in entry["resolutions"] for n in level["produced_by"].values())
        assert steps == sum(row["count"] for row in pools + entry["strided_convolutions"]), name
        sides = [level["rows_cols"] for level in entry["resolutions"]]
        assert sides == sorted(sides, reverse=True) and sides[-1] == entry["map_before_head"], name
        assert all(type(row["use_bias"]) is bool for row in entry["strided_convolutions"]), name
        assert entry["outputs"] == 1000 and entry["arxiv"] and 2012 <= entry["arxiv_year"] <= 2030, name
        assert entry["measured_input_shape"][:2] == (entry["default_input_shape"][:2]
                                                     if entry["default_input_shape"][0] else [224, 224]), name


def test_the_covering_models_are_few_and_show_every_feature():
    chosen = covering_models(MODELS)
    assert 3 <= len(chosen) <= 8, chosen
    every = set().union(*(_features(entry) for entry in MODELS.values()))
    assert set().union(*(_features(MODELS[name]) for name in chosen)) == every
    assert ("head", "Flatten") in every and ("conv", "SeparableConv2D", False) in every  # the walk saw them
    assert {("conv", "Conv2D", True), ("conv", "Conv2D", False), ("conv", "DepthwiseConv2D", False)} <= every


def test_rebuilt_models_give_their_stored_entries_exactly(keras):
    chosen = covering_models(MODELS)
    fresh = census.census(keras, chosen)["models"]
    for name in chosen:
        assert fresh[name] == MODELS[name], name


def test_downsampling_layers_finds_convnexts_nested_strided_convolutions_and_their_biases(keras):
    # Notebook 02's section 6d compares downsampling_layers with a stored entry. ConvNeXt's strided
    # Conv2Ds sit inside Sequential stages: a walk of model.layers alone finds none of them.
    from collections import Counter

    from poolviz.going_further.keras_compositions import downsampling_layers

    keras.backend.clear_session()
    model = keras.applications.ConvNeXtTiny(weights=None)
    rows = downsampling_layers(model)
    stored = Counter()
    for row in MODELS["ConvNeXtTiny"]["strided_convolutions"]:
        stored[row["class"], tuple(row["kernel"]), tuple(row["strides"]), row["use_bias"]] += row["count"]
    assert Counter(row[1:] for row in rows if row[4] is not None) == stored == Counter(
        {("Conv2D", (4, 4), (4, 4), True): 1, ("Conv2D", (2, 2), (2, 2), True): 3})
    top_level = {layer.name for layer in model.layers}
    assert sum(row[0] not in top_level for row in rows) >= 3, rows  # found inside the nested stages
    keras.backend.clear_session()


def test_the_stored_text_is_the_scripts_stable_dump():
    text = census.CENSUS.read_text(encoding="utf-8")
    assert census.dumps(STORED) == text
    assert len(text.splitlines()) == len(MODELS) + 2  # one model per line


@pytest.mark.skipif(not os.environ.get("POOLVIZ_FULL_CENSUS"), reason="the full census takes minutes: "
                    "POOLVIZ_FULL_CENSUS=1 runs it (CI's own step)")
def test_the_full_census_recomputed_equals_the_stored_file(keras):
    assert census.dumps(census.census(keras)) == census.CENSUS.read_text(encoding="utf-8")


def test_print_models_per_paper_prints_each_papers_first_model_once(capsys):
    from poolviz.going_further.census import Census

    census = Census()
    census.print_models(per_paper=True)
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == [names[0] for names in census.papers.values()]
    assert len(rows) == 14 and rows[0].split()[:2] == ["VGG16", "2014"] and rows[-1].endswith("C C C C")
    census.print_models()
    assert len(capsys.readouterr().out.splitlines()) == 2 + len(census.models) == 42
    with pytest.raises(TypeError, match="per_paper must be True or False, got 1"):
        census.print_models(per_paper=1)
