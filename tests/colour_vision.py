"""Colour-vision deficiency simulation and WCAG contrast, for the tests and their screenshots.

The matrices are Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6), table for severity 1.0 (full
dichromacy); they act on linear RGB, so sRGB values are linearised first and encoded after.
"""

from __future__ import annotations

import numpy as np

MACHADO_2009 = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def linear(srgb):
    """sRGB in [0, 1] to linear RGB (IEC 61966-2-1)."""
    srgb = np.asarray(srgb, dtype=float)[..., :3]
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def encoded(rgb_linear):
    rgb = np.clip(rgb_linear, 0, 1)
    return np.where(rgb <= 0.0031308, 12.92 * rgb, 1.055 * rgb ** (1 / 2.4) - 0.055)


def simulate(srgb, deficiency):
    """sRGB colours (..., 3 or 4) as a person with `deficiency` sees them, in sRGB."""
    return encoded(linear(srgb) @ MACHADO_2009[deficiency].T)


def luminance(srgb):
    """WCAG 2 relative luminance."""
    return linear(srgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast(first, second):
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = np.maximum(luminance(first), luminance(second)), np.minimum(luminance(first), luminance(second))
    return (light + 0.05) / (dark + 0.05)


ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[1] / "test-artifacts" / "cvd"
