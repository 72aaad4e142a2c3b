"""Check functions for the course notebooks: ``poolviz.exercises.nb0N`` for
``notebooks/0N_*.ipynb``, and ``going_further`` for ``notebooks/going_further/``.

A check ``check_...(answer)`` prints ``Not answered yet: ...`` for ``None`` (so a notebook with open exercises
runs through), raises AssertionError with a hint for a wrong answer (a hint names the mistake, never the answer),
and prints ``Correct: ...`` with why it is right. Nothing here imports TensorFlow or ipywidgets.
"""

from ._harness import MAX_ANSWER_ITEMS as MAX_ANSWER_ITEMS

__all__: list[str] = []
