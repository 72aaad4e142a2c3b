"""Going further: anti-aliased max pooling, PyTorch's pooling rules, which
input cells the windows read, Keras compositions (:mod:`.keras_compositions`) and
the census of keras.applications (:mod:`.census`).  The course notebooks need none of it."""

from .antialias import binomial_filter, max_blur_pool2d, shift_change
from .coverage import window_coverage
from .pytorch import torch_avg_pool2d, torch_max_pool2d, torch_output_size

__all__ = ["binomial_filter", "max_blur_pool2d", "shift_change", "torch_avg_pool2d", "torch_max_pool2d",
           "torch_output_size", "window_coverage"]
