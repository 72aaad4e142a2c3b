#!/usr/bin/env bash
# The lower-bound job: a Colab-shaped Python 3.13 environment (.ci/lower-bounds.txt),
# then poolviz[widgets,keras] installed on top, which must change none of
# its packages; then every course and going-further notebook executes in it (assertions included;
# the stored outputs are not compared, their version strings differ), and
# poolviz's own tests run in it.
# Usage: bash .ci/lower-bounds.sh PYTHON   (an interpreter of Python 3.13)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:?usage: lower-bounds.sh PYTHON}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$work/venv"
py=$work/venv/bin/python
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet -r .ci/lower-bounds.txt ipykernel nbclient nbconvert pytest hypothesis
# Not editable, as a Colab user installs it: the notebooks import the installed copy.
# Built from a copy, so that setuptools' build/ and *.egg-info stay out of the checkout.
mkdir "$work/src"
tar -C . --exclude='./.venv*' --exclude=./.git --exclude=./build --exclude='*.egg-info' \
    --exclude=./test-artifacts -cf - . | tar -C "$work/src" -xf -
"$py" -m pip list --format=freeze > "$work/before.txt"
"$py" -m pip install --quiet "$work/src[widgets,keras]"
"$py" -m pip list --format=freeze --exclude poolviz > "$work/after.txt"
if ! diff -u "$work/before.txt" "$work/after.txt"; then
    echo "lower-bounds: installing poolviz[widgets,keras] changed the packages above" >&2
    exit 1
fi
"$py" -m pip check
echo "lower-bounds: $(wc -l < "$work/after.txt") packages unchanged by installing poolviz; pip check clean"

shopt -s nullglob
# The going-further notebooks too: 02 reads its census as package data, as on Colab.
notebooks=(notebooks/0*.ipynb notebooks/going_further/0*.ipynb)
if (( ${#notebooks[@]} < 10 )); then
    echo "lower-bounds: expected the five course and five going-further notebooks, found ${#notebooks[@]}" >&2
    exit 1
fi
for notebook in "${notebooks[@]}"; do
    echo "lower-bounds: executing $notebook"
    "$py" -m nbconvert --to notebook --execute --output-dir "$work/executed" \
        --ExecutePreprocessor.timeout=600 "$notebook"
done
echo "lower-bounds: ${#notebooks[@]} notebooks executed without an error"

# The tests of poolviz itself. Left out: test_setup.py (checks the locked
# environment), test_notebook*.py (nbval), test_present.py (Voila), browser/;
# the other jobs run those. Listed by name so that a new test file needing an
# extra package does not break this job unnoticed; add it here when it fits.
POOLVIZ_HYPOTHESIS_PROFILE=dev "$py" -m pytest -o addopts=-ra -p no:cacheprovider -q \
    tests/test_pooling.py \
    tests/test_layout.py tests/test_data.py tests/test_walkthrough.py \
    tests/test_plot.py tests/test_explorer.py tests/test_widgets.py tests/test_keras_bridge.py \
    tests/test_against_keras.py tests/test_exercises.py tests/test_exercises_facts.py
