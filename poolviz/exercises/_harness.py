"""What the exercise checks share: how a check prints, reads an answer,
calls a student's function and grades it (see :mod:`poolviz.exercises`)."""

from __future__ import annotations

import itertools
import operator

import numpy as np

from .._checks import _describe


#: Most items a check reads from an answer it iterates (a shape, a list of
#: sizes): an answer is never iterated without a bound, so an infinite
#: iterator gets a hint at once instead of running away.
MAX_ANSWER_ITEMS = 64


# --------------------------------------------------------------------------
# What a check prints
# --------------------------------------------------------------------------
def _not_answered(answer, what):
    """Print the "not answered yet" hint and return True when ``answer`` is None."""
    if answer is None:
        print(f"Not answered yet: {what}")
        return True
    return False


def _correct(message):
    print(f"Correct: {message}")


# --------------------------------------------------------------------------
# Reading an answer: a number, a pair, a shape, an array
# --------------------------------------------------------------------------
def _as_int(answer, name="answer"):
    """``answer`` as a Python int, or AssertionError saying what it is instead."""
    if isinstance(answer, (bool, np.bool_)):
        raise AssertionError(f"{name} should be a whole number, got the bool {answer!r}")
    if isinstance(answer, (int, np.integer)) or (
            isinstance(answer, (float, np.floating)) and float(answer).is_integer()):
        number = int(answer)
        # Every answer here is a size or a count; a number past 2**63 is no
        # such thing, and one of 4300 digits could not even be printed.
        if abs(number) >= 2**63:
            raise AssertionError(f"{name} should be a size or a count, got {_describe(answer)}: "
                                 f"a number of {number.bit_length()} bits")
        return number
    raise AssertionError(f"{name} should be a whole number, got {_describe(answer)}")


def _items(answer, name="answer", what="sequence", limit=MAX_ANSWER_ITEMS):
    """The items of ``answer`` as a tuple, reading at most ``limit`` + 1 of
    them; AssertionError if it is not iterable or has more than ``limit``."""
    try:
        iterator = iter(answer)
    except TypeError:
        raise AssertionError(f"{name} should be a {what} like (2, 3), got {_describe(answer)}") from None
    items = tuple(itertools.islice(iterator, limit + 1))
    if len(items) > limit:
        raise AssertionError(
            f"{name} should be a {what} like (2, 3), got {_describe(answer)} "
            f"with more than {limit} items")
    return items


def _as_shape(answer, name="answer"):
    """``answer`` as a tuple of ints, read as at most :data:`MAX_ANSWER_ITEMS` items."""
    return tuple(_as_int(n, name) for n in _items(answer, name, what="shape"))


def _unpack_pair(answer, hint):
    """The two items of ``answer``, or AssertionError(``hint()``) when it is
    not a pair. Unpacking reads at most three items, so an endless iterator
    is refused at once; ``hint`` is called only then (it may show the answer)."""
    try:
        first, second = answer
    except (TypeError, ValueError):
        raise AssertionError(hint()) from None
    return first, second


def _as_pair_of_ints(answer, name="answer"):
    """``answer`` as a tuple of two ints, or AssertionError with a hint."""
    first, second = _unpack_pair(answer, lambda: f"{name} should be a pair of whole numbers "
                                                 f"like (3, 3), got {_describe(answer)}")
    return _as_int(first, name), _as_int(second, name)


def _reject_complex(answer, name="answer"):
    """AssertionError when ``answer`` holds complex numbers.

    ``np.asarray(..., dtype=float64)`` would drop the imaginary part with
    only a warning, and a wrong answer would then pass. Looks at the array
    NumPy builds without iterating anything itself (a generator becomes one
    object, not a sequence).
    """
    try:
        array = np.asarray(answer)
    except (TypeError, ValueError):
        return  # _as_array reports what is wrong with it
    if np.iscomplexobj(array) or (
        array.dtype == object and any(isinstance(item, (complex, np.complexfloating))
                                      for item in array.flat)
    ):
        raise AssertionError(f"{name} should hold real numbers, got complex values: "
                             f"{_describe(answer)}")


def _as_array(answer, name="answer"):
    """``answer`` as a float64 NumPy array, or AssertionError with a hint."""
    try:
        array = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, MemoryError):
        raise AssertionError(
            f"{name} should be an array of numbers, got {_describe(answer)}") from None
    return array


def _real_array(answer, name="answer"):
    """``answer`` as a float64 array; complex numbers are refused, not truncated."""
    _reject_complex(answer, name)
    return _as_array(answer, name)


# --------------------------------------------------------------------------
# Calling a student's function
# --------------------------------------------------------------------------
def _call(function, *args, name="your function"):
    """Call a student's function; turn its exception into an AssertionError hint."""
    if not callable(function):
        raise AssertionError(f"answer should be a function (def ...), got {_describe(function)}")
    try:
        return function(*args)
    except Exception as error:  # the student's code may raise anything
        shapes = ", ".join(
            f"array of shape {np.shape(arg)}" if isinstance(arg, np.ndarray) else repr(arg)
            for arg in args
        )
        raise AssertionError(
            f"{name} raised {type(error).__name__}: {error} (called with {shapes})"
        ) from error


def _function_result(function, *args, name="your function"):
    """Call a student's function and return its result as a real float64 array.

    A function that returns nothing (a forgotten ``return``) is told so,
    instead of being compared as an array holding NaN.
    """
    result = _call(function, *args, name=name)
    if result is None:
        raise AssertionError(f"{name} returned None: is the `return` statement missing? "
                             "It should return the result array.")
    return _real_array(result, f"{name}'s result")


# --------------------------------------------------------------------------
# Grading: one number, or a function on cases
# --------------------------------------------------------------------------
def _check_number(number, expected, *, correct, hints, otherwise, same=operator.eq):
    """The check of an exercise whose answer is one number: print
    ``Correct: {correct}`` when ``same(number, expected)``; otherwise raise
    AssertionError ``"{number} is not right: {hint}."``, with the hint of the
    first ``(wrong answer, hint)`` pair in ``hints`` that ``number`` matches
    (the typical mistakes, each with its own hint), else ``otherwise``."""
    if same(number, expected):
        _correct(correct)
        return
    hint = next((hint for wrong, hint in hints if same(number, wrong)), otherwise)
    raise AssertionError(f"{number} is not right: {hint}.")


def _check_function(function, task, cases, *, expected, wrong_shape, wrong_values, correct,
                    close=np.allclose):
    """The check of an exercise whose answer is a function: run it on every
    case, explain the first wrong result, or print ``Correct: {correct}``.

    ``None`` prints ``Not answered yet: {task} and pass the function itself
    (no brackets).`` ``cases`` holds ``(description, *args)`` tuples, and
    ``expected(*args)`` is the right result. The student's function gets
    copies of the array arguments, so it cannot change the cases; its
    exceptions, a missing ``return`` and complex results become hints
    (:func:`_function_result`). A result of another shape than the expected
    one raises AssertionError ``"on {description} " + wrong_shape(result,
    expected, *args)``; one of the right shape whose values are not
    ``close(result, expected)`` raises ``"on {description} " +
    wrong_values(result, expected, *args)``. Those two hold the exercise's
    own hints.
    """
    if _not_answered(function, f"{task} and pass the function itself (no brackets)."):
        return
    for description, *args in cases:
        right = expected(*args)
        result = _function_result(
            function, *(arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args))
        if result.shape != right.shape:
            raise AssertionError(f"on {description} {wrong_shape(result, right, *args)}")
        if not close(result, right):
            raise AssertionError(f"on {description} {wrong_values(result, right, *args)}")
    _correct(correct)
