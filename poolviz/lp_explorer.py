"""The Lp-pooling explorer's model (notebook 04): one control, p, morphs the pooled map from average pooling of |x|
(p = 1) to max pooling of |x| (p = inf). The pooling itself is :func:`poolviz.pooling.lp_pool2d`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import traitlets

import poolviz
from poolviz import data as _data
from poolviz._checks import _describe, as_feature_map
from poolviz.walkthrough import in_words

__all__ = ["LpPoolingExplorerModel"]


@dataclass(frozen=True, eq=False)
class _LpState:
    """What the Lp explorer shows: `feature_map` pooled 2 x 2, stride 2, at `p` and at both ends of the family."""

    feature_map: np.ndarray
    p: float
    pooled: np.ndarray
    average: np.ndarray
    maximum: np.ndarray
    message, ok = "", True

    @property
    def of_sizes(self):
        """" of |x|" if the map has negative values (the ends then pool |x|, not x), else ""."""
        return " of |x|" if self.feature_map.min() < 0 else ""

    @property
    def description(self):
        """The picture in words: the maps' numbers, both ends included."""
        return (f"Lp pooling 2 x 2, strides 2 x 2, p = {self.p:g}, of the {self.feature_map.shape[0]} x "
                f"{self.feature_map.shape[1]} input ({in_words(self.feature_map, 16)}) gives {in_words(self.pooled)}; "
                f"at p = 1, average pooling{self.of_sizes}, {in_words(self.average)}; at p = inf, max pooling"
                f"{self.of_sizes}, {in_words(self.maximum)}")


class LpPoolingExplorerModel(traitlets.HasTraits):
    """The Lp-pooling explorer without widgets: one control, `p` (at least 1, or inf), in; one state out.

    `feature_map` (2-D; default: the diagonal line through the line detector and ReLU) is pooled 2 x 2 with stride
    2 by :func:`poolviz.pooling.lp_pool2d`; the state also holds both ends, the average (p = 1) and the max (p = inf)
    of |x|.

    >>> LpPoolingExplorerModel(p=np.inf).state.pooled.tolist()
    [[2.0, 1.0, 0.0], [2.0, 2.0, 1.0], [0.0, 2.0, 2.0]]
    """

    p = traitlets.Float(None, allow_none=True)  # set in __init__, which computes the first state
    state = traitlets.Instance(_LpState, read_only=True)
    _pool = staticmethod(lambda feature_map, p: poolviz.pooling.lp_pool2d(feature_map, p))

    def __init__(self, feature_map: np.typing.ArrayLike | None = None, p: float = 1.0) -> None:
        super().__init__()
        line = poolviz.relu(poolviz.conv2d(_data.diagonal_line(), _data.VERTICAL_LINE_DETECTOR))
        self._map = line if feature_map is None else as_feature_map(feature_map)
        if min(self._map.shape) < 2:  # the explorer's windows are 2 x 2
            raise ValueError(f"feature_map must be at least 2 x 2 for 2 x 2 windows, got shape {self._map.shape}")
        self._ends = (self._pool(self._map, 1.0), self._pool(self._map, np.inf))  # checks the map once
        self.p = p

    def __setattr__(self, name, value):
        if name == "p":  # lp_pool2d's check of p, as a TraitError; a float (traitlets refuses NumPy's)
            try:
                self._pool(np.zeros((2, 2)), value)
                value = float(value)
            except OverflowError:
                raise traitlets.TraitError(f"p must be a float (to 1.8e308) or inf, got {_describe(value)}") from None
            except (ValueError, TypeError) as error:
                raise traitlets.TraitError(str(error)) from None
        super().__setattr__(name, value)

    @traitlets.observe("p")
    def _compute(self, change):
        self.set_trait("state", _LpState(self._map, self.p, self._pool(self._map, self.p), *self._ends))
