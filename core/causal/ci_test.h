#pragma once
// Conditional independence from a correlation matrix: partial correlation and Fisher's z test, as the
// CLEANN reference (causality-lab's CondIndepParCorr) does it, with a cache and a test counter.
#include "core/causal/matrix.h"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace sightline::causal {

// r(x, y | Z) from a correlation matrix rho. |Z| = 0: rho_xy. |Z| = 1: the closed form
// (rho_xy - rho_xz rho_yz) / sqrt((1 - rho_xz^2)(1 - rho_yz^2)). |Z| >= 2: from the precision matrix
// P of rho over {x, y} + Z, r = -P_xy / sqrt(|P_xx P_yy|); P is the Cholesky inverse, or the
// pseudo-inverse when the sub-matrix is singular (see symmetric_inverse.h).
// Degenerate cases: when a denominator is not positive (x or y is perfectly explained by Z) the
// result is 0. The result is clipped to [-1, 1]. Fails on bad indices, x == y, or x/y inside Z.
double partial_correlation(const Matrix& rho, int x, int y, const std::vector<int>& z);

// Two-sided Fisher z p-value: p = 2 (1 - Phi(sqrt(n - cond_size - 3) * |atanh(r)|)), r clipped to
// (-1 + 1e-12, 1 - 1e-12). Fails when n - cond_size - 3 <= 0 (too few samples for the test).
double fisher_z_p_value(double r, double sample_size, int cond_size);

// Largest conditioning-set size the Fisher z test supports for a sample size (n - 4; -1 if none).
int max_fisher_cond_size(double sample_size);

class CITest {
  public:
    // rho: the correlation matrix (square, unit diagonal, symmetric to 1e-9). sample_size: n of the
    // Fisher z test (in CLEANN the head dimension). alpha: independent when p > alpha.
    CITest(Matrix rho, double sample_size, double alpha);

    int num_nodes() const { return rho_.rows(); }
    double sample_size() const { return sample_size_; }
    double alpha() const { return alpha_; }
    const Matrix& correlation() const { return rho_; }

    // True when x and y are independent given z (p > alpha). Cached by ({x, y}, sorted z).
    bool independent(int x, int y, const std::vector<int>& z);
    // The p-value (cached).
    double p_value(int x, int y, const std::vector<int>& z);

    // Statistics actually computed (cache misses), in total and by conditioning-set size.
    std::int64_t tests_run() const { return tests_run_; }
    std::int64_t cache_hits() const { return cache_hits_; }
    const std::vector<std::int64_t>& tests_by_size() const { return tests_by_size_; }
    void clear_cache();

  private:
    using Key = std::pair<std::pair<int, int>, std::vector<int>>;

    Matrix rho_;
    double sample_size_;
    double alpha_;
    std::map<Key, double> cache_;
    std::int64_t tests_run_ = 0;
    std::int64_t cache_hits_ = 0;
    std::vector<std::int64_t> tests_by_size_;
};

}  // namespace sightline::causal
