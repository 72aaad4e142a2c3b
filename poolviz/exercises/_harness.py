"""What the checks share: the :func:`exercise` decorator, readers that turn an
answer into a number, a pair or an array or a hint, and the graders."""

import dis
import functools
import itertools
import numbers
import operator
import sys
import types

import numpy as np

from .._checks import _describe

#: Most items read from an answer that is iterated: an endless iterator gets a hint.
MAX_ANSWER_ITEMS = 64
#: Most numbers an array answer, or a student's function's result, may hold.
MAX_ANSWER_CELLS = 2**16


def exercise(unanswered):
    """Make ``check(answer)`` a check: ``None`` prints ``Not answered yet: {unanswered}`` (raises it if
    ``graded=True``: a grader scores it 0); an answer that breaks its reading gets a hint."""
    def decorate(check):
        @functools.wraps(check)
        def run(answer, *, graded=False):
            if answer is None:
                if graded:
                    raise AssertionError(f"Not answered yet: {unanswered}")
                print(f"Not answered yet: {unanswered}")
                return
            try:
                check(answer)
            except AssertionError:
                raise
            except Exception as error:  # noqa: BLE001 - a hostile answer, told so
                raise AssertionError(f"this answer could not be read ({type(error).__name__}: "
                                     f"{_said(error)}): give plain numbers") from None
        return run
    return decorate


def _correct(message):
    print(f"Correct: {message}")


def _said(error, limit=200):
    """What ``error`` says, shortened; never fails (an int of 10**5000 in it)."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001
        text = "(a message that cannot be printed)"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _as_int(answer, name="answer"):
    """``answer`` as a Python int (a float like 13.0 too), or a hint."""
    if isinstance(answer, (bool, np.bool_)):
        raise AssertionError(f"{name} should be a whole number, got the bool {answer!r}")
    if isinstance(answer, (int, np.integer)) or (isinstance(answer, (float, np.floating)) and answer.is_integer()):
        if abs(int(answer)) >= 2**63:  # no size or count is that big
            raise AssertionError(f"{name} should be a size or a count, got {_describe(answer)}")
        return int(answer)
    raise AssertionError(f"{name} should be a whole number, got {_describe(answer)}")


def _as_shape(answer, name="answer"):
    """``answer`` as a tuple of ints, reading at most MAX_ANSWER_ITEMS + 1 items."""
    hint = f"{name} should be a shape like (2, 3), got {_describe(answer)}"
    try:
        items = tuple(itertools.islice(iter(answer), MAX_ANSWER_ITEMS + 1))
    except TypeError:
        raise AssertionError(hint) from None
    if len(items) > MAX_ANSWER_ITEMS:
        raise AssertionError(f"{hint} with more than {MAX_ANSWER_ITEMS} items")
    return tuple(_as_int(n, name) for n in items)


def _unpack_pair(answer, hint):
    """The two items of ``answer`` (unpacking reads at most three), or ``hint``."""
    try:
        first, second = answer
    except (TypeError, ValueError):
        raise AssertionError(hint) from None
    return first, second


def _as_pair_of_ints(answer, name="answer"):
    first, second = _unpack_pair(answer, f"{name} should be a pair of whole numbers like (3, 3), got "
                                         f"{_describe(answer)}")
    return _as_int(first, name), _as_int(second, name)


def _as_array(answer, name="answer"):
    """``answer`` as a float64 array of at most MAX_ANSWER_CELLS numbers, or a hint;
    never iterates an iterator, never drops an imaginary part or a mask."""
    def refuse(why=""):
        return AssertionError(f"{name} should be an array of numbers, got {_describe(answer)}{why}")
    cells, stack = 0, [answer]
    while stack:  # count before NumPy builds anything
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            cells += len(item)
            stack.extend(item)
        elif isinstance(item, np.ndarray):
            cells += item.size
        elif not isinstance(item, numbers.Number) and not hasattr(item, "__array__"):
            raise refuse()
        if cells > MAX_ANSWER_CELLS:
            raise refuse(f" with more than {MAX_ANSWER_CELLS} numbers")
    if np.ma.isMaskedArray(answer) and np.ma.getmaskarray(answer).any():
        raise refuse(" with masked cells: give the numbers themselves")
    try:
        array = np.asarray(np.ma.getdata(answer))
    except (TypeError, ValueError, OverflowError):  # ragged lists, say
        raise refuse() from None
    if array.size > MAX_ANSWER_CELLS:
        raise refuse(f" with more than {MAX_ANSWER_CELLS} numbers")
    if array.dtype.kind == "c":  # float64 would drop the imaginary part with a warning
        raise AssertionError(f"{name} should hold real numbers, got complex values: {_describe(answer)}")
    if array.dtype.kind not in "biuf":
        raise refuse()
    return array.astype(np.float64)


def _hint(value, hints, otherwise, same=operator.eq):
    """The first hint of ``(wrong answer or predicate, hint)`` pairs that fits ``value``."""
    return next((hint for wrong, hint in hints
                 if (wrong(value) if callable(wrong) else same(value, wrong))), otherwise)


def _grade(value, expected, *, hints=(), otherwise, correct=None, same=operator.eq, shown=None,
           wrong_shape=None):
    """Raise ``wrong_shape`` if the shapes differ, print ``Correct: {correct}`` if ``same(value, expected)``, else
    raise ``"{shown} is not right: {_hint(...)}."``."""
    if wrong_shape is not None and np.shape(value) != np.shape(expected):
        raise AssertionError(wrong_shape)
    if same(value, expected):
        if correct is not None:
            _correct(correct)
        return
    hint = _hint(value, hints, otherwise, same)
    raise AssertionError(f"{value if shown is None else shown} is not right: {hint}.")


def _close(result, expected, **tolerance):
    return result.shape == np.shape(expected) and np.allclose(result, expected, **tolerance)


def _rounded(expected):
    """Whether an answer is ``expected`` rounded to 0, 1 or 2 decimals: too coarse."""
    return lambda value: any(_close(np.round(value * 10**d), value * 10**d) and _close(
        value, expected, rtol=0, atol=0.5 / 10**d + 1e-9) for d in range(3))


class _Refused(AssertionError):
    """Raised by a ready-made pooling that a student's function called (see :func:`_refuse_ready_made`)."""


def _call(function, *args):
    """Call a student's function; its exception becomes a hint."""
    if not callable(function):
        raise AssertionError(f"answer should be a function (def ...), got {_describe(function)}: pass the function "
                             "itself, its name without brackets")
    try:
        return function(*args)
    except _Refused:
        raise
    except (Exception, SystemExit) as error:  # the student's code may raise anything
        shapes = ", ".join(f"array of shape {np.shape(a)}" if isinstance(a, np.ndarray) else repr(a) for a in args)
        raise AssertionError(f"your function raised {type(error).__name__}: {_said(error)} "
                             f"(called with {shapes})") from error


def _made(mistake, result, right, args, close):
    """Whether ``result`` is what ``mistake(*args)`` gives and the right one is not (or has its shape, if a shape)."""
    try:
        wrong = mistake(*args)
    except (ValueError, IndexError):  # a mistake that cannot be made on this case
        return False
    if isinstance(wrong, tuple):
        return result.shape == wrong != right.shape
    return result.shape == wrong.shape and close(result, wrong) and not _close(wrong, right)


def _names_used(function, seen):
    """The names ``function``'s code uses (attributes too, aliases resolved; an object by its class's name, e.g. a
    Keras layer built outside), with its nested functions, the functions of its own module that it names, and the
    functions bound to it (defaults, closures)."""
    names, codes = set(), [function.__code__] if hasattr(function, "__code__") and id(function) not in seen else []
    seen.add(id(function))
    closure = zip(function.__code__.co_freevars, function.__closure__ or ()) if codes else ()
    scope = {**getattr(function, "__globals__", {}), **{name: cell.cell_contents for name, cell in closure}}
    while codes:
        code = codes.pop()
        codes += [const for const in code.co_consts if hasattr(const, "co_names")]
        for instruction in dis.get_instructions(code):
            name, value = instruction.argval, scope.get(instruction.argval)
            if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF"):  # attributes, imports: names
                names |= {name} if instruction.opname in ("LOAD_ATTR", "LOAD_METHOD", "IMPORT_FROM") else set()
            elif callable(value) and getattr(value, "__module__", None) == function.__module__:
                names |= _names_used(value, seen)  # the student's own helper: what it calls, not its name
            else:
                names |= {name, getattr(value, "__name__", type(value).__name__)}
    for value in [*(getattr(function, "__defaults__", None) or ()), *(getattr(function, "__closure__", None) or ()),
                  *(getattr(function, "__kwdefaults__", None) or {}).values()]:
        value = value.cell_contents if isinstance(value, types.CellType) and value != types.CellType() else value
        names |= (_names_used(value, seen) if getattr(value, "__module__", None) == function.__module__  # bound
                  else {getattr(value, "__name__", type(value).__name__)})  # a default's or a closure's object
    return names


def _raise(error, *args, **kwargs):
    raise error


def _refuse_ready_made(answer, refused, how, names=()):
    """Refuse ``answer`` (or a ``functools.partial`` of it) if it, or its top package, is in ``refused``, or if its
    code calls one of ``names`` (a wrapper around a ready-made pooling). Return it wrapped: while it runs, the
    poolings ``names`` in poolviz and in Keras's and TensorFlow's ``layers``, ``ops`` and ``nn`` raise
    :class:`_Refused`, so that a call through ``getattr`` is refused too."""
    function = answer.func if isinstance(answer, functools.partial) else answer
    package = (getattr(function, "__module__", None) or "").split(".")[0]
    if package in refused or any(function is r for r in refused):
        raise AssertionError(f"{package}'s {getattr(function, '__name__', type(function).__name__)} is a ready-made "
                             f"pooling; the exercise is to write one: {how}")
    if called := sorted(_names_used(function, set()) & set(names)):
        raise AssertionError(f"your function calls {called[0]}, a ready-made pooling; the exercise is to write one: "
                             f"{how}")

    def refusing(*args):
        modules = [module for name, module in list(sys.modules.items()) if name.split(".")[0] == "poolviz"] + [getattr(
            sys.modules.get(top), part, None) for top in ("keras", "tensorflow") for part in ("layers", "ops", "nn")]
        saved = [(module, name, getattr(module, name)) for module in modules for name in names
                 if callable(getattr(module, name, None))]
        for module, name, _ in saved:
            setattr(module, name, functools.partial(_raise, _Refused(
                f"your function calls {name}, a ready-made pooling; the exercise is to write one: {how}")))
        try:
            return answer(*args)
        finally:
            for module, name, original in saved:
                setattr(module, name, original)
    return refusing if callable(answer) else answer


def _check_function(function, cases, *, expected, mistakes, shape, values, correct, close=np.allclose):
    """Run a student's function on copies of each case ``(description, *args)``; on the first result unlike
    ``expected(*args)``, the hint of the first ``(mistake, hint)`` that gives it (see :func:`_made`), else ``shape``
    or ``values``. A hint is a text or ``hint(result, right, *args)``."""
    truncated = (lambda *args: np.trunc(expected(*args)),
                 "Your result holds whole numbers where the right one has fractions: give the output a float dtype.")
    for description, *args in cases:
        right = expected(*args)
        copies = [np.array(arg) if isinstance(arg, np.ndarray) else arg for arg in args]
        result = _call(function, *copies)
        if any(isinstance(arg, np.ndarray) and not np.array_equal(arg, copy) for arg, copy in zip(args, copies)):
            raise AssertionError(f"on {description} your function changed the array it was given: work on a copy.")
        if result is None:
            raise AssertionError("your function returned None: is the `return` statement missing? It should "
                                 "return the result array.")
        result = _as_array(result, "your function's result")
        if result.shape == right.shape and close(result, right):
            continue
        wrong_shape = result.shape != right.shape
        whole = right.dtype.kind in "iu" and np.isfinite(result).all() and (result == np.round(result)).all()
        hint = next((hint for mistake, hint in (*mistakes, truncated) if _made(mistake, result, right, args, close)),
                    shape if wrong_shape else values)
        shown = (f"have shape {right.shape}, got {result.shape}. " if wrong_shape else
                 f"be\n{right}\ngot\n{result.astype(right.dtype) if whole else result}.\n" if right.ndim <= 2 else
                 f"equal the right one; it is off by up to {np.max(np.abs(result - right)):g}.\n")
        raise AssertionError(f"on {description} the result should {shown}"
                             f"{hint(result, right, *args) if callable(hint) else hint}")
    _correct(correct)
