"""What a cached step puts in place of the deep part: forecasters, pure functions of the kept full steps.

A cached step at coordinate ``s`` (the scheduler's timestep the denoiser is called with, or the step index) has the
deep features ``F_0 .. F_{m-1}`` of the last ``m`` full steps at coordinates ``s_0 < .. < s_{m-1}`` in the order
they ran (``F_{m-1}`` the last). Every forecaster here is linear in those features,
``F(s) = sum_j w_j F_j`` with ``sum_j w_j = 1`` (a constant feature is forecast exactly), and is applied as

    ``F(s) = F_last + sum_{j >= 1} c_j (F_last - F_older_j)``,   ``c_j = -w_j``

with the coefficients ``c_j`` computed here in float64 and handed to the model as 0-d tensors (the compiled graph
sees no Python number that changes from step to step). With one older feature this is exactly the first-order
extrapolation ``F_l + (F_l - F_p) * (s - s_l) / (s_l - s_p)`` of ``DeepCacheConfig(extrapolate=True)``.

* ``reuse`` (DeepCache): ``F(s) = F_last``; keeps one copy.
* ``taylor`` of order ``k`` (TaylorSeer, Liu et al., arXiv 2503.06923: the Taylor expansion of the feature around
  the last full step, its derivatives approximated by finite differences of the full steps):
  ``F(s) = sum_{i=0}^{k} D_i (s - s_last)^i / i!`` with ``D_0 = F_last`` and, at each full step ``j``,
  ``D_i(j) = (D_{i-1}(j) - D_{i-1}(j-1)) / (s_j - s_{j-1})`` -- the recursion TaylorSeer's code and diffusers'
  ``TaylorSeerCacheConfig`` run (on evenly spaced full steps ``D_i = Delta^i F / N^i``). Orders above the number of
  kept full steps minus one fall back to the highest available. Keeps ``k + 1`` copies.
* ``chebyshev`` of degree ``d`` over the last ``K`` full steps (the Spectrum idea, Han et al., 2026: fit the
  feature trajectory globally in a Chebyshev basis with ridge regression instead of a local Taylor recurrence;
  written from the method's description, as the paper's own equations were not at hand): the coordinate mapped
  affinely to ``tau`` in [-1, 1] over the ``K`` kept full steps, ``F(s) = sum_{i=0}^{d} a_i T_i(tau(s))`` with
  ``a = argmin sum_j ||F_j - sum_i a_i T_i(tau_j)||^2 + lambda sum_{i>=1} ||a_i||^2`` (ridge least squares,
  :data:`RIDGE`; the constant term is not penalised, so constants stay exact). With ``K = d + 1`` and
  ``lambda -> 0`` it is polynomial interpolation through the full steps; with ``K > d + 1`` it smooths.
  Keeps ``K`` copies.

The equations are written out here in full rather than cited by number: the sources at hand while writing this
(abstracts and summaries of the papers, diffusers' ``TaylorSeerCacheConfig``) did not give equation numbers that
could be checked.

**Bounded over long gaps** (``horizon`` ``H``): a polynomial forecast grows without bound with the distance to
the last full step; here the distance is capped at ``H`` times the spacing of the last two full steps,
``s - s_last`` -> ``sign * min(|s - s_last|, H |s_last - s_prev|)``: beyond it the forecast holds the value at that
distance. For first order this bounds the change elementwise, ``|F(s) - F_last| <= H |F_last - F_prev|``; for any
order the forecast is the fitted polynomial evaluated within ``[s_first, s_last + H (s_last - s_prev)]``.
``H = inf`` (``extrapolate=True``, as before) does not cap.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

#: the forecasters :class:`stepcache.DeepCacheConfig` accepts (``forecaster=``)
FORECASTERS = ("reuse", "taylor", "chebyshev")
#: what a forecaster measures the distance between steps by: the denoiser's timestep argument, or the step index
COORDINATES = ("time", "step")
#: the highest order (Taylor) / degree (Chebyshev) accepted
MAX_ORDER = 4
#: the most full steps a least-squares forecaster keeps
MAX_ANCHORS = 8
#: default order of each forecaster (``order=None``)
DEFAULT_ORDER = {"taylor": 1, "chebyshev": 2}
#: default cap on the forecast distance, in spacings of the last two full steps (``horizon=None``)
DEFAULT_HORIZON = 1.0
#: ridge penalty of the Chebyshev least squares (on the non-constant coefficients)
RIDGE = 1e-4


class Forecast(NamedTuple):
    """A config's forecast, resolved (:attr:`stepcache.DeepCacheConfig.forecast`)."""

    forecaster: str
    order: int | None
    anchors: int | None
    coordinate: str | None
    horizon: float | None

    @property
    def kept(self) -> int:
        """How many full steps' features it keeps (and forecasts from)."""
        if self.forecaster == "reuse":
            return 1
        return self.order + 1 if self.forecaster == "taylor" else self.anchors


def weights(forecaster: str, order: int, coords, target: float, horizon: float = math.inf) -> np.ndarray:
    """``w`` (float64, one per kept full step, oldest first) with ``F(target) = sum_j w_j F_j``; see the module
    docstring for each formula. ``coords``: the kept full steps' coordinates in the order they ran. Repeated
    coordinates (a solver that calls the denoiser twice at one time) leave nothing to difference: the forecast is
    then the last feature."""
    s = np.asarray(coords, np.float64)
    m = len(s)
    w = np.zeros(m)
    w[-1] = 1.0
    if forecaster == "reuse" or m < 2 or np.any(np.diff(s) == 0):
        return w
    d = target - s[-1]
    h = s[-1] - s[-2]
    if abs(d) > horizon * abs(h):
        d = math.copysign(horizon * abs(h), d)
    if forecaster == "taylor":
        return _taylor(s, min(order, m - 1), d)
    if forecaster == "chebyshev":
        return _chebyshev(s, min(order, m - 1), s[-1] + d)
    raise ValueError(f"forecaster must be one of {', '.join(map(repr, FORECASTERS))}, got {forecaster!r}")


def _taylor(s: np.ndarray, k: int, d: float) -> np.ndarray:
    """TaylorSeer: sum_i D_i d^i / i!, the finite-difference derivatives D_i as coefficient vectors over anchors."""
    m = len(s)
    if k == 1:  # written as extrapolate=True always computed it: F_l + (F_l - F_p) * (d / h), bit for bit
        w = np.zeros(m)
        w[-1], w[-2] = 1.0 + d / (s[-1] - s[-2]), -(d / (s[-1] - s[-2]))
        return w
    # deriv[j] = coefficients of D_i computed at full step j (i is the loop's order), for j >= i
    deriv = [np.eye(m)[j] for j in range(m)]
    w = deriv[m - 1].copy()
    for i in range(1, k + 1):
        deriv = [None] * i + [(deriv[j] - deriv[j - 1]) / (s[j] - s[j - 1]) for j in range(i, m)]
        w = w + deriv[m - 1] * d ** i / math.factorial(i)
    return w


def _chebyshev(s: np.ndarray, degree: int, target: float) -> np.ndarray:
    """Ridge least squares in the Chebyshev basis over the kept full steps, evaluated at ``target``."""
    lo, hi = s.min(), s.max()
    tau = lambda x: 2.0 * (np.asarray(x, np.float64) - lo) / (hi - lo) - 1.0  # noqa: E731
    basis = np.polynomial.chebyshev.chebvander(tau(s), degree)  # (m, d+1): T_i(tau_j)
    at = np.polynomial.chebyshev.chebvander(tau([target]), degree)[0]  # (d+1,)
    penalty = RIDGE * np.diag([0.0] + [1.0] * degree)
    # a = (B^T B + P)^-1 B^T F, F(target) = at^T a = sum_j w_j F_j with w = B (B^T B + P)^-1 at
    return basis @ np.linalg.solve(basis.T @ basis + penalty, at)


def coefficients(forecaster: str, order: int, coords, target: float, horizon: float = math.inf) -> list[float]:
    """The ``c_j`` of ``F_last + sum_j c_j (F_last - F_older_j)``, the older features most recent first."""
    w = weights(forecaster, order, coords, target, horizon)
    return [float(-x) for x in w[-2::-1]]
