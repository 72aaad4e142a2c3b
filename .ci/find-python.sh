# Sourced by .ci/run: find_python 3.13 prints an interpreter of that version.
# A pyenv shim on PATH may exist without the version being active, so each
# candidate is asked for its version instead of trusting its name.
find_python() {
    local want=$1 candidate
    for candidate in "python$want" "$(pyenv root 2>/dev/null)"/versions/"$want"*/bin/python"$want"; do
        if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" \
                >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "no Python $want found (PATH or pyenv)" >&2
    return 1
}
