"""Hostile arguments against every public function, class and exercise check
of poolviz (issues 10 and 19), each call in a child process (tests/fuzz_worker.py).

A call must answer within the time and memory limits below and either return
(pooling equal to tests/oracle.py's loops; an explorer keeps the values it
accepted, and its view shows them without a traceback) or raise a
ValueError/TypeError (a TraitError for a model) naming one of its arguments;
an exercise check raises AssertionError. ``POOLVIZ_FUZZ_CASES`` (default 12)
sets the cases per cheap target. scripts/hostile_sweep.py runs thousands,
against Keras, ONNX Runtime and PyTorch's rules too.
"""

from __future__ import annotations

import importlib.util
import os
import random

import numpy as np
import pytest

import fuzz_worker as harness

if importlib.util.find_spec("tensorflow") is None:  # looked up, not imported: the children import it
    pytest.skip("TensorFlow is not installed", allow_module_level=True)

CASES = int(os.environ.get("POOLVIZ_FUZZ_CASES", "12"))
SEED = int(os.environ.get("POOLVIZ_FUZZ_SEED", "0"))
CPU_BUDGET = {"light": 1.0, "picture": 3.0, "keras": 5.0}  # seconds, all threads of the child
SHARE = {"light": 1, "picture": 4, "keras": 6}  # a picture gets a quarter of the cases
MEMORY_BUDGET_MIB = 256
MEMORY_LIMIT_MIB = 1536
WALL_LIMIT = 20.0
TARGETS = [target for target in harness.discover() if target.kind != "record"]


@pytest.fixture(scope="module")
def workers():
    pool = {"light": harness.Worker(memory_limit_mib=MEMORY_LIMIT_MIB),
            "keras": harness.Worker("keras", memory_limit_mib=MEMORY_LIMIT_MIB),
            "bare": harness.Worker("bare", memory_limit_mib=MEMORY_LIMIT_MIB)}  # imports nothing: quick to restart
    for worker in pool.values():
        worker.spawn()  # TensorFlow loads in one child while the other works
    yield pool
    for worker in pool.values():
        worker.stop()


def run_case(workers, target, index, seed=SEED):
    kwargs, sets = harness.draw_case(target, random.Random(f"{seed}:{target.name}:{index}"))
    worker = "keras" if target.keras else "light"
    answer = workers[worker].run((target.kind, target.name, kwargs, sets), WALL_LIMIT)
    category, detail = harness.classify(target, kwargs, sets, answer, CPU_BUDGET[target.cost], MEMORY_BUDGET_MIB)
    arguments = ", ".join(f"{k}={harness.describe(v)}" for k, v in kwargs.items())
    then = "".join(f"; then {k}={harness.describe(v)}" for k, v in sets)
    return category, f"case {index}: {target.name}({arguments}){then}: {category}: {detail}"


def test_every_public_target_is_found_and_has_plausible_values():
    """A public module without ``__all__`` would hide its functions from the
    fuzz; a required argument without a plausible value would be fuzzed with
    hostile values only (add one to PLAUSIBLE). Records (dataclasses) are
    results, not doors."""
    import pkgutil

    import poolviz

    hidden = [m.name for m in pkgutil.walk_packages(poolviz.__path__, "poolviz.")
              if not any(part.startswith("_") for part in m.name.split("."))
              and not hasattr(importlib.import_module(m.name), "__all__")]
    assert not hidden, f"public modules without __all__: {hidden}"
    names = {target.name.rpartition(".")[2] for target in TARGETS}
    assert {"max_pool2d", "average_pool2d", "torch_max_pool2d", "torch_avg_pool2d", "pooling_explorer",
            "translation_explorer"} <= names
    kinds = [target.kind for target in TARGETS]
    assert kinds.count("check") >= 20 and kinds.count("model") >= 2
    blind = sorted(f"{target.name}({name})" for target in TARGETS for name, required in target.params
                   if required and name not in harness.PLAUSIBLE and target.kind != "check")
    assert not blind, f"no plausible values for: {blind}"


# Light targets first: the Keras child warms up meanwhile.
@pytest.mark.parametrize("target", sorted(TARGETS, key=lambda t: (t.keras, t.name)), ids=lambda t: t.name)
def test_a_public_door_answers_or_names_the_bad_argument(workers, target):
    cases = (run_case(workers, target, index) for index in range(max(2, CASES // SHARE[target.cost])))
    failures = [line for category, line in cases if category not in harness.CLEAN]
    assert not failures, "\n".join(failures[:5])


ENDLESS = [(harness.MARK, "iterator"), ((harness.MARK, "iterator"), (1, 2)), ((32, 64), (harness.MARK, "iterator")),
           (harness.MARK, "fn", "endless")]


@pytest.mark.parametrize("target", [t for t in TARGETS if t.kind == "check"], ids=lambda t: t.name)
def test_a_check_given_an_endless_answer_gives_a_hint_at_once(workers, target):
    """An itertools.count() answer, inside one or returned by the student's
    function, once ran away (issue 10): every check reads a bounded part."""
    for answer in ENDLESS:
        reply = workers["light"].run(("check", target.name, {"answer": answer}, []), WALL_LIMIT)
        verdict = harness.classify(target, {"answer": answer}, [], reply, CPU_BUDGET["light"], MEMORY_BUDGET_MIB)
        assert verdict[0] in harness.CLEAN, f"{target.name}({harness.describe(answer)}): {verdict}"


def test_the_harness_sees_every_kind_of_failure(workers):
    """A fuzz that cannot fail is worse than none: a dead child, a stall, a
    call over its CPU budget, a memory blow-up, a wrong number and an
    unnamed error are all reported."""
    def verdict(target, kwargs, wall=WALL_LIMIT, sets=(), worker="bare"):
        answer = workers[worker].run(("call", target, kwargs, list(sets)), wall)
        return harness.classify(harness.Target(target, "call", [(k, True) for k in kwargs]), kwargs, list(sets),
                                answer, CPU_BUDGET["light"], MEMORY_BUDGET_MIB)[0]

    assert verdict("os.abort", {}) == "signal"
    assert verdict("subprocess.call", {"args": ["sleep", "5"]}, wall=0.5) == "hang"
    assert verdict("hashlib.pbkdf2_hmac", {"hash_name": "sha256", "password": b"", "salt": b"",
                                           "iterations": 5_000_000}) == "hang"  # over the CPU budget
    assert verdict("numpy.ones", {"shape": 2**26}) == "returned"  # its output may take memory
    assert verdict("numpy.linalg.norm", {"x": (harness.MARK, "broadcast", (8000, 8000), "float64")}) \
        == "memory blow-up"  # 512 MiB of temporaries for one number
    assert verdict("numpy.ones", {"shape": 2**28}) == "memory blow-up"  # beyond the address-space limit
    assert verdict("numpy.zeros", {"shape": (2**40,)}) == "memory blow-up"
    assert verdict("oracle.max_pool2d_loop", {"x": np.zeros((1, 2, 2, 1)), "pool_size": (1, 1),
                                              "strides": (1, 1), "padding": "valid"}) == "returned"
    assert verdict("poolviz.max_pool2d", {"x": np.zeros((8, 8)), "strides": 2**31}, worker="light") == "clean error"
    assert verdict("json.loads", {"s": "{"}) == "unnamed error"
    assert verdict("fuzz_worker.check_result", {"target": "max_pool2d", "kwargs": {"x": np.ones((2, 2))},
                                                "result": np.zeros((1, 1))}) == "wrong result"
