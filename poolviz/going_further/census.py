"""The census of every ``keras.applications`` model that ``scripts/census.py`` stored, and 02's tables."""

import json
from importlib.resources import files

__all__ = ["Census"]
_SHORT = {"MaxPooling2D": "max", "AveragePooling2D": "avg", "GlobalAveragePooling2D": "global avg"}


class Census:
    """``models`` (name -> entry) and ``papers`` (arXiv id -> its models, a *family*) of the stored file."""

    def __init__(self):
        self.document = json.loads(files(__package__).joinpath("keras_applications_census.json").read_text())
        self.models, self.papers = self.document["models"], {}
        for name, entry in sorted(self.models.items(), key=lambda item: (item[1]["arxiv"], item[0])):
            self.papers.setdefault(entry["arxiv"], []).append(name)

    def pools(self, name, downsampling=True):
        """``"3x3/2 max x1"`` per windowed pooling row: window/stride, kind, ``same`` if so, how many layers."""
        return [f"{r['pool_size'][0]}x{r['pool_size'][1]}/{r['strides'][0]} {_SHORT[r['class']]}"
                f"{' same' if r['padding'] == 'same' else ''} x{r['count']}"
                for r in self.models[name]["windowed_pooling"] if r["downsamples"] == downsampling]

    def steps(self, name, classes=False):
        """Per size a strided layer gives, in order: C (convolutions), P (pooling), C+P (both), or its layer classes."""
        made = [set(level["produced_by"]) for level in self.models[name]["resolutions"]]
        return made if classes else ["+".join(sorted({"P" if "Pooling" in c else "C" for c in m})) for m in made]

    def biases(self, name):
        """The ``use_bias`` values of its strided convolutions: {False}, {True}, both, or none if it has none."""
        return {r["use_bias"] for r in self.models[name]["strided_convolutions"]}

    def print_models(self):
        """One row per model, by its paper's arXiv id."""
        print(f"{'model':18s}{'year':>5s}{'side':>5s}  {'pooling that down-samples':40s}stride-1 strided global  head"
              f"       down-sampling\n{'pools':>76s}{'convs':>8s}{'pools':>7s}{'steps':>18s}")
        for name, e in ((name, self.models[name]) for names in self.papers.values() for name in names):
            stride_1 = sum(r["count"] for r in e["windowed_pooling"] if not r["downsamples"])
            strided, global_ = (sum(r["count"] for r in e[key]) for key in ("strided_convolutions", "global_pooling"))
            print(f"{name:18s}{e['arxiv_year']:5d}{e['measured_input_shape'][0]:5d}  "
                  f"{', '.join(self.pools(name)) or '-':40s}{stride_1:8d}{strided:8d}{global_:7d}  "
                  f"{_SHORT.get(e['head'], e['head']):11s}{' '.join(self.steps(name))}")

    def print_pooling(self):
        """Each down-sampling pool (class, window/stride, padding): models, papers, layers; returns its models."""
        rows = [((r["class"], f"{r['pool_size'][0]}x{r['pool_size'][1]}/{r['strides'][0]}", r["padding"]), name,
                 r["count"]) for name, e in self.models.items() for r in e["windowed_pooling"] if r["downsamples"]]
        using = {key: {name for other, name, _ in rows if other == key} for key, _, _ in rows}
        print("down-sampling pools           models papers layers  Keras modules")
        for key, names in sorted(using.items(), key=lambda item: (-len(item[1]), item[0][1], item[0])):
            print(f"{key[0]:17s}{key[1]} {key[2]:5s}{len(names):7d}{len({self.models[n]['arxiv'] for n in names}):7d}"
                  f"{sum(count for other, _, count in rows if other == key):7d}  "
                  f"{', '.join(sorted({self.models[n]['family'] for n in names}))}")
        return using
