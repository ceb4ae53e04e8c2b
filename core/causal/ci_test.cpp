#include "core/causal/ci_test.h"

#include "core/causal/symmetric_inverse.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace sightline::causal {

namespace {

void check_indices(const Matrix& rho, int x, int y, const std::vector<int>& z) {
    const int n = rho.rows();
    auto check = [n](int i, const char* what) {
        if (i < 0 || i >= n) fail("partial correlation: ", what, " index ", i, " outside 0..", n - 1);
    };
    check(x, "x");
    check(y, "y");
    if (x == y) fail("partial correlation: x and y are the same node (", x, ")");
    for (int v : z) {
        check(v, "conditioning");
        if (v == x || v == y) fail("partial correlation: node ", v, " is both tested and conditioned on");
    }
}

}  // namespace

double partial_correlation(const Matrix& rho, int x, int y, const std::vector<int>& z) {
    if (!rho.is_square()) fail("partial correlation: the correlation matrix must be square");
    check_indices(rho, x, y, z);
    double r = 0.0;
    if (z.empty()) {
        r = rho(x, y);
    } else if (z.size() == 1) {
        const int w = z.front();
        const double denom = (1.0 - rho(x, w) * rho(x, w)) * (1.0 - rho(y, w) * rho(y, w));
        r = denom > 0.0 ? (rho(x, y) - rho(x, w) * rho(y, w)) / std::sqrt(denom) : 0.0;
    } else {
        std::vector<int> idx{x, y};
        idx.insert(idx.end(), z.begin(), z.end());
        const Matrix p = invert_symmetric(rho.sub_matrix(idx)).inverse;
        const double denom = std::abs(p(0, 0) * p(1, 1));
        r = denom > 0.0 ? -p(0, 1) / std::sqrt(denom) : 0.0;
    }
    if (!std::isfinite(r)) return 0.0;
    return std::clamp(r, -1.0, 1.0);
}

double fisher_z_p_value(double r, double sample_size, int cond_size) {
    const double dof = sample_size - cond_size - 3.0;
    if (!(dof > 0.0))
        fail("Fisher z test: sample size ", sample_size, " is too small for a conditioning set of ",
             cond_size, " (needs n - |Z| - 3 > 0)");
    constexpr double kClip = 1.0 - 1e-12;
    const double rc = std::clamp(r, -kClip, kClip);
    const double stat = std::sqrt(dof) * std::abs(std::atanh(rc));
    // 2 (1 - Phi(t)) = erfc(t / sqrt(2)), accurate in the far tail.
    return std::erfc(stat / std::sqrt(2.0));
}

int max_fisher_cond_size(double sample_size) {
    // Largest k with sample_size - k - 3 > 0.
    const double k = std::ceil(sample_size - 3.0) - 1.0;
    return k < 0 ? -1 : static_cast<int>(std::min(k, 1e9));
}

CITest::CITest(Matrix rho, double sample_size, double alpha)
    : rho_(std::move(rho)), sample_size_(sample_size), alpha_(alpha) {
    if (!rho_.is_square() || rho_.rows() == 0)
        fail("CITest: the correlation matrix must be square and non-empty, got ", rho_.rows(), " x ",
             rho_.cols());
    if (rho_.asymmetry() > 1e-9) fail("CITest: the correlation matrix is not symmetric");
    for (int i = 0; i < rho_.rows(); ++i)
        if (std::abs(rho_(i, i) - 1.0) > 1e-9)
            fail("CITest: correlation diagonal entry ", i, " is ", rho_(i, i), ", not 1");
    for (double v : rho_.values())
        if (!std::isfinite(v)) fail("CITest: the correlation matrix holds a non-finite value");
    if (!(sample_size > 3.0)) fail("CITest: sample size must exceed 3, got ", sample_size);
    if (!(alpha > 0.0 && alpha < 1.0)) fail("CITest: alpha must be in (0, 1), got ", alpha);
}

double CITest::p_value(int x, int y, const std::vector<int>& z) {
    std::vector<int> zs = z;
    std::sort(zs.begin(), zs.end());
    if (std::adjacent_find(zs.begin(), zs.end()) != zs.end())
        fail("CITest: repeated node in the conditioning set");
    Key key{{std::min(x, y), std::max(x, y)}, zs};
    if (auto it = cache_.find(key); it != cache_.end()) {
        ++cache_hits_;
        return it->second;
    }
    const double r = partial_correlation(rho_, x, y, zs);
    const double p = fisher_z_p_value(r, sample_size_, static_cast<int>(zs.size()));
    ++tests_run_;
    if (tests_by_size_.size() <= zs.size()) tests_by_size_.resize(zs.size() + 1, 0);
    ++tests_by_size_[zs.size()];
    cache_.emplace(std::move(key), p);
    return p;
}

bool CITest::independent(int x, int y, const std::vector<int>& z) {
    return p_value(x, y, z) > alpha_;
}

void CITest::clear_cache() {
    cache_.clear();
}

}  // namespace sightline::causal
