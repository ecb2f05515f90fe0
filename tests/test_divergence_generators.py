"""The seed's three-generators picture: G* = argmin_G max_D V is the generator closest in JS."""

from __future__ import annotations

import math

import numpy as np
import pytest
from divergence_reference import js_by_quadrature, normal_mixture_pdf

from divergence import generators
from divergence import optimal_discriminator as od
from divergence.discriminator import DiscriminatorConfig
from divergence.grids import Grid
from divergence.measures import js_divergence_grid

LOG2 = math.log(2.0)
GRID = Grid.regular(-15.0, 15.0, 6001)
TRAIN_GRID = Grid.regular(-12.0, 12.0, 2401)


def js_from_data(pdf_g) -> float:
    """JS(P_data || P_G) for the default P_data by SciPy quadrature."""
    pdf_data = normal_mixture_pdf([0.5, 0.5], [-2, 2], [0.6, 0.6])
    return js_by_quadrature(pdf_data, pdf_g, -15, 15, points=[-2, 0, 2])


def test_closed_form_max_values_match_quadrature():
    references = {
        "G1": js_from_data(normal_mixture_pdf([1.0], [0], [0.8])),
        "G2": js_from_data(normal_mixture_pdf([1.0], [-2], [0.6])),
        "G3": js_from_data(normal_mixture_pdf([0.45, 0.55], [-1.7, 2.3], [0.8, 0.6])),
    }
    data = generators.default_data()
    for name, candidate in generators.default_candidates().items():
        js = js_divergence_grid(
            data.log_prob_on(GRID), candidate.log_prob_on(GRID), GRID, log_inputs=True
        )
        assert js == pytest.approx(references[name], abs=1e-6), name


def test_the_best_of_the_three_generators_has_the_lowest_jsd():
    data = generators.default_data()
    max_values = {
        name: od.max_value_from_js(
            js_divergence_grid(data.log_prob_on(GRID), g.log_prob_on(GRID), GRID, log_inputs=True)
        )
        for name, g in generators.default_candidates().items()
    }
    assert min(max_values, key=max_values.get) == "G3"
    assert max_values["G3"] < max_values["G2"] < max_values["G1"]


def test_value_along_the_scaled_optimum_peaks_at_d_star():
    data = generators.default_data()
    grid = Grid.regular(-12.0, 12.0, 2401)
    scales = np.linspace(0.0, 2.0, 41)
    for candidate in generators.default_candidates().values():
        values = generators.value_along_scaled_optimum(data, candidate, grid, scales)
        assert scales[int(np.argmax(values))] == pytest.approx(1.0)
        assert values[0] == pytest.approx(-2 * LOG2, abs=1e-12)


def test_trained_discriminators_name_the_same_best_generator():
    comparison = generators.compare_generators(
        generators.default_data(),
        generators.default_candidates(),
        TRAIN_GRID,
        DiscriminatorConfig(steps=400, num_records=1),
        seed=3,
        num_samples=30_000,
    )
    assert comparison.best_closed_form == "G3"
    assert comparison.agree
    for check in comparison.checks:
        assert abs(check.trained_value_grid - check.max_value) < 0.05
