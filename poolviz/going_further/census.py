"""The census of every ``keras.applications`` model that ``scripts/census.py`` stored, and 02's tables."""

import json
from importlib.resources import files

from poolviz._checks import as_bool

__all__ = ["Census"]
_SHORT = {"MaxPooling2D": "max", "AveragePooling2D": "avg", "GlobalAveragePooling2D": "global avg"}
_STEPS = ("C", "P", "C+P", "C+S")  # strided convolutions, pooling, both in parallel, a conv beside a 1x1 subsample


class Census:
    """``models`` (name -> entry) and ``papers`` (arXiv id -> its models, a *family*) of the stored file.
    A 1x1 pooling window with stride 2 keeps one cell per window: a subsample (S), pooling in name only."""

    def __init__(self):
        self.document = json.loads(files(__package__).joinpath("keras_applications_census.json").read_text())
        self.models, self.papers = self.document["models"], {}
        for name, entry in sorted(self.models.items(), key=lambda item: (item[1]["arxiv"], item[0])):
            self.papers.setdefault(entry["arxiv"], []).append(name)

    def pools(self, name, downsampling=True, one_by_one=False):
        """``"3x3/2 max x1"`` per pooling row (1x1 ones only if ``one_by_one``): window/stride, kind, padding, count."""
        return [f"{r['pool_size'][0]}x{r['pool_size'][1]}/{r['strides'][0]} {_SHORT[r['class']]}"
                f"{' same' if r['padding'] == 'same' else ''} x{r['count']}"
                for r in self.models[name]["windowed_pooling"]
                if r["downsamples"] == downsampling and (r["pool_size"] == [1, 1]) == one_by_one]

    def steps(self, name, classes=False):
        """Per size a strided layer gives, in order: C (convolutions), P (pooling), S (1x1 subsample), + joining
        parallel branches; or (``classes=True``) its layer classes. The census stores classes, not windows, per step:
        a pool class is S where it sits beside convolutions if its 1x1 layers are all it has there (02's 6d checks)."""
        entry = self.models[name]
        made = [level["produced_by"] for level in entry["resolutions"]]
        if classes:
            return [set(m) for m in made]
        beside = {c: sum(m.get(c, 0) for m in made if any("Pooling" not in k for k in m)) for c in _SHORT}
        ones = {c: sum(r["count"] for r in entry["windowed_pooling"] if r["class"] == c and r["downsamples"]
                       and r["pool_size"] == [1, 1]) for c in _SHORT}
        subsample = {c for c in _SHORT if ones[c] and ones[c] == beside[c]}
        letter = {True: {c: "S" if c in subsample else "P" for c in _SHORT}, False: dict.fromkeys(_SHORT, "P")}
        return ["+".join(sorted({letter[any("Pooling" not in k for k in m)].get(c, "C") for c in m})) for m in made]

    def biases(self, name):
        """The ``use_bias`` values of its strided convolutions: {False}, {True}, both, or none if it has none."""
        return {r["use_bias"] for r in self.models[name]["strided_convolutions"]}

    def print_models(self, per_paper=False):
        """One row per model, by its paper's arXiv id; ``per_paper``: only each paper's first model (one row each)."""
        last = 1 if as_bool(per_paper, "per_paper") else None
        print(f"{'model':18s}{'year':>5s}  {'pooling that down-samples':27s}{'1x1/2':>10s}{'strided':>8s}"
              f"{'global':>7s}  {'head':12s}down-sampling\n{'subsample':>62s}{'convs':>8s}{'pools':>7s}{'steps':>19s}")
        for name, e in ((name, self.models[name]) for names in self.papers.values() for name in names[:last]):
            subsample = sum(r["count"] for r in e["windowed_pooling"] if r["downsamples"] and r["pool_size"] == [1, 1])
            strided, global_ = (sum(r["count"] for r in e[key]) for key in ("strided_convolutions", "global_pooling"))
            print(f"{name:18s}{e['arxiv_year']:5d}  {', '.join(self.pools(name)) or '-':27s}{subsample:10d}"
                  f"{strided:8d}{global_:7d}  {_SHORT.get(e['head'], e['head']):12s}{' '.join(self.steps(name))}")

    def print_pooling(self):
        """Each down-sampling pool (class, window/stride, padding), 1x1 last: models, papers, layers; returns models."""
        rows = [((r["class"], f"{r['pool_size'][0]}x{r['pool_size'][1]}/{r['strides'][0]}", r["padding"]), name,
                 r["count"]) for name, e in self.models.items() for r in e["windowed_pooling"] if r["downsamples"]]
        using = {key: {name for other, name, _ in rows if other == key} for key, _, _ in rows}
        print("down-sampling pools           models papers layers; below each, the Keras modules using it")
        keys = sorted(using, key=lambda key: (key[1] == "1x1/2", -len(using[key]), key))
        for key, names in ((key, using[key]) for key in keys):
            if key[1] == "1x1/2" and key == next(k for k in keys if k[1] == "1x1/2"):
                print("1x1 windows: each keeps one cell, a subsample (S), pooling in name only")
            print(f"{key[0]:17s}{key[1]} {key[2]:5s}{len(names):7d}{len({self.models[n]['arxiv'] for n in names}):7d}"
                  f"{sum(count for other, _, count in rows if other == key):7d}\n    "
                  f"{', '.join(sorted({self.models[n]['family'] for n in names}))}")
        return using

    def count(self, test):
        """(models, papers) whose entry passes ``test``."""
        passed = [name for name, entry in self.models.items() if test(entry)]
        return len(passed), len({self.models[name]["arxiv"] for name in passed})

    def print_counts(self):
        """02's section 6c: what the models do, per model and per paper, then their down-sampling steps by kind,
        for all papers, for those before the tutorial (2019-04-21: arXiv ids below 1904), per year; returns both."""
        first, pools = (lambda e: e["first_downsampling"]["kind"]), (lambda e: e["windowed_pooling"])
        tests = {"a windowed pooling layer (window above 1x1)": lambda e: any(
                     r["downsamples"] and r["pool_size"] != [1, 1] for r in pools(e)),
                 "no windowed pooling layer": lambda e: not pools(e),
                 "first down-samples with a strided convolution": lambda e: first(e) == "strided convolution",
                 "first down-samples with a pooling layer": lambda e: first(e) == "windowed pooling",
                 "head: global average pooling": lambda e: e["head"] == "GlobalAveragePooling2D",
                 "head: Flatten": lambda e: e["head"] == "Flatten",
                 "global pooling inside the blocks too": lambda e: sum(r["count"] for r in e["global_pooling"]) > 1}
        rows = {label: self.count(test) for label, test in tests.items()}
        print(f"{'':48s}{'models':>7s}{'papers':>7s}\n{'':48s}{'of ' + str(len(self.models)):>7s}"
              f"{'of ' + str(len(self.papers)):>7s}")
        for label, (n_models, n_papers) in rows.items():
            print(f"{label:48s}{n_models:7d}{n_papers:7d}")
        firsts = [names[0] for names in self.papers.values()]  # a paper's variants down-sample alike
        groups = {"per model, all papers": list(self.models), "per paper, all papers": firsts,
                  "per model, before the tutorial": [n for n in self.models if self.models[n]["arxiv"] < "1904"],
                  "per paper, before the tutorial": [n for n in firsts if self.models[n]["arxiv"] < "1904"]}
        for year in sorted({self.models[n]["arxiv_year"] for n in firsts}):
            groups[f"  papers of {year}"] = [n for n in firsts if self.models[n]["arxiv_year"] == year]
        steps = {label: [s for n in names for s in self.steps(n)] for label, names in groups.items()}
        depthwise = {label: sum(made == {"DepthwiseConv2D"} for n in names for made in self.steps(n, classes=True))
                     for label, names in groups.items()}
        print(f"\ndown-sampling steps{'':12s}papers steps      C      P    C+P    C+S  depthwise")
        for label, names in groups.items():
            print(f"{label:31s}{len({self.models[n]['arxiv'] for n in names}):6d}{len(steps[label]):6d}"
                  + "".join(f"{steps[label].count(kind):7d}" for kind in _STEPS) + f"{depthwise[label]:11d}")
        return rows, {label: {kind: steps[label].count(kind) for kind in _STEPS} | {
            "all": len(steps[label]), "depthwise": depthwise[label]} for label in groups}
