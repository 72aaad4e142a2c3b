"""Worked solutions for the exercises of ``05_global_pooling.ipynb``.

Try the exercises first. Each ``answer_N`` is what exercise N asks for;
run this file to see them checked:

    python notebooks/solutions/05_solutions.py
"""

import numpy as np

import poolviz
from poolviz.exercises import nb05

# Exercise 1: global pooling summarises each 7x7 channel by one number.
# Without keepdims only (batch, channels) is left; with keepdims=True the
# rows and columns axes stay, with size 1.
answer_1 = ((32, 64), (32, 1, 1, 64))

# Exercise 2: a 3x3 convolution without padding turns 28x28 into 26x26.
#   Flatten:  26 * 26 * 16 = 10816 inputs -> 10816 * 10 weights + 10 biases = 108170
#   Global:   16 inputs (one per channel) ->    16 * 10 weights + 10 biases =    170
answer_2 = (26 * 26 * 16 * 10 + 10, 16 * 10 + 10)


# Exercise 3: average over the rows and columns axes of a channels-last batch.
def global_average_pool(batch):
    return np.mean(batch, axis=(1, 2))


answer_3 = global_average_pool


# Exercise 4: first go forward to find the size of the map each layer reads, then go
# back from the output cell, the last layer first. Cells [start, stop) of a layer's
# output read [start * stride - before, (stop - 1) * stride - before + kernel) of its
# input, where `before` is Keras's padding above (or left): the smaller half. Clip to
# [0, size) at every layer: a padded cell depends on nothing.
def input_interval(index, n, layers):
    sizes = [n]
    for kernel, stride, padding in layers:
        sizes.append(poolviz.output_size(sizes[-1], kernel, stride, padding))
    start, stop = index, index + 1
    for (kernel, stride, padding), size in zip(reversed(layers), reversed(sizes[:-1])):
        before = poolviz.same_padding(size, kernel, stride)[0] if padding == "same" else 0
        start = max(start * stride - before, 0)
        stop = min((stop - 1) * stride - before + kernel, size)
    return start, stop


answer_4 = input_interval


if __name__ == "__main__":
    nb05.check_global_shapes(answer_1)
    nb05.check_head_parameters(answer_2)
    nb05.check_global_average_pool(answer_3)
    nb05.check_receptive_interval(answer_4)
