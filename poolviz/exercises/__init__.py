"""Check functions for the course notebooks.

Each notebook ``notebooks/0N_*.ipynb`` has a module ``poolviz.exercises.nb0N``
with one ``check_...(answer)`` function per exercise. A check

* prints ``Not answered yet: ...`` when ``answer`` is still ``None`` (so a
  notebook with open exercises runs from top to bottom without errors),
* raises :class:`AssertionError` with a hint saying what is wrong,
* prints ``Correct: ...`` with a sentence on why the answer is right.

Nothing here imports TensorFlow, Keras or ipywidgets at import time; the
notebooks load Keras with :func:`poolviz.keras_bridge.load_keras`.

What the checks share is in :mod:`poolviz.exercises._harness`. A check
reads its answer with its helpers (``_as_int``, ``_unpack_pair``,
``_real_array``...: each refuses an answer of the wrong kind with a hint),
then grades it: ``_check_number`` for one number, ``_check_function`` for
a function the student wrote, or its own comparisons (arrays, pairs).
The hints for the typical wrong answers stay in each check: they are the
teaching.
"""

from __future__ import annotations

from ._harness import MAX_ANSWER_ITEMS

__all__: list[str] = []
