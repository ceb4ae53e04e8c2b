#include "core/causal/symmetric_inverse.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace sightline::causal {

namespace {

void check_input(const Matrix& a, const char* what) {
    if (!a.is_square()) fail(what, ": the matrix must be square, got ", a.rows(), " x ", a.cols());
    for (double v : a.values())
        if (!std::isfinite(v)) fail(what, ": the matrix holds a non-finite value");
}

// Lower-triangular L with A = L L^T, or nothing when a pivot is not safely positive.
std::optional<Matrix> cholesky(const Matrix& a) {
    const int n = a.rows();
    double scale = 0.0;
    for (int i = 0; i < n; ++i) scale = std::max(scale, std::abs(a(i, i)));
    if (scale == 0.0) return std::nullopt;
    Matrix l(n, n);
    for (int j = 0; j < n; ++j) {
        double d = a(j, j);
        for (int k = 0; k < j; ++k) d -= l(j, k) * l(j, k);
        if (!(d > kSingularTolerance * scale)) return std::nullopt;
        const double ljj = std::sqrt(d);
        l(j, j) = ljj;
        for (int i = j + 1; i < n; ++i) {
            double s = a(j, i);  // upper triangle: a(j, i) == a(i, j)
            for (int k = 0; k < j; ++k) s -= l(i, k) * l(j, k);
            l(i, j) = s / ljj;
        }
    }
    return l;
}

Matrix inverse_from_cholesky(const Matrix& l) {
    const int n = l.rows();
    // Solve L L^T X = I column by column.
    Matrix inv(n, n);
    std::vector<double> y(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c) {
        for (int i = 0; i < n; ++i) {
            double s = (i == c) ? 1.0 : 0.0;
            for (int k = 0; k < i; ++k) s -= l(i, k) * y[static_cast<std::size_t>(k)];
            y[static_cast<std::size_t>(i)] = s / l(i, i);
        }
        for (int i = n - 1; i >= 0; --i) {
            double s = y[static_cast<std::size_t>(i)];
            for (int k = i + 1; k < n; ++k) s -= l(k, i) * inv(k, c);
            inv(i, c) = s / l(i, i);
        }
    }
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) inv(i, j) = inv(j, i) = 0.5 * (inv(i, j) + inv(j, i));
    return inv;
}

}  // namespace

SymmetricEigen eigen_symmetric(const Matrix& input) {
    check_input(input, "eigen_symmetric");
    const int n = input.rows();
    Matrix a(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = i; j < n; ++j) a(i, j) = a(j, i) = input(i, j);
    Matrix v = Matrix::identity(n);
    constexpr int kMaxSweeps = 100;
    for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
        double off = 0.0, total = 0.0;
        for (int i = 0; i < n; ++i) {
            total += a(i, i) * a(i, i);
            for (int j = i + 1; j < n; ++j) off += a(i, j) * a(i, j);
        }
        if (off <= 1e-30 * (total + off) || off == 0.0) break;
        for (int p = 0; p < n; ++p) {
            for (int q = p + 1; q < n; ++q) {
                const double apq = a(p, q);
                if (apq == 0.0) continue;
                const double theta = (a(q, q) - a(p, p)) / (2.0 * apq);
                const double t =
                    (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0);
                const double s = t * c;
                for (int k = 0; k < n; ++k) {  // A <- A J (columns p, q)
                    const double akp = a(k, p), akq = a(k, q);
                    a(k, p) = c * akp - s * akq;
                    a(k, q) = s * akp + c * akq;
                }
                for (int k = 0; k < n; ++k) {  // A <- J^T A (rows p, q)
                    const double apk = a(p, k), aqk = a(q, k);
                    a(p, k) = c * apk - s * aqk;
                    a(q, k) = s * apk + c * aqk;
                }
                for (int k = 0; k < n; ++k) {  // V <- V J
                    const double vkp = v(k, p), vkq = v(k, q);
                    v(k, p) = c * vkp - s * vkq;
                    v(k, q) = s * vkp + c * vkq;
                }
            }
        }
    }
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return a(x, x) < a(y, y); });
    SymmetricEigen out{std::vector<double>(static_cast<std::size_t>(n)), Matrix(n, n)};
    for (int c = 0; c < n; ++c) {
        const int src = order[static_cast<std::size_t>(c)];
        out.values[static_cast<std::size_t>(c)] = a(src, src);
        for (int r = 0; r < n; ++r) out.vectors(r, c) = v(r, src);
    }
    return out;
}

SymmetricInverse invert_symmetric(const Matrix& a) {
    check_input(a, "invert_symmetric");
    if (auto l = cholesky(a)) return {inverse_from_cholesky(*l), false};

    const SymmetricEigen e = eigen_symmetric(a);
    const int n = a.rows();
    double largest = 0.0;
    for (double v : e.values) largest = std::max(largest, std::abs(v));
    Matrix inv(n, n);
    if (largest == 0.0) return {inv, true};  // the pseudo-inverse of the zero matrix is zero
    for (int k = 0; k < n; ++k) {
        const double lambda = e.values[static_cast<std::size_t>(k)];
        if (std::abs(lambda) <= kSingularTolerance * largest) continue;
        const double w = 1.0 / lambda;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) inv(i, j) += w * e.vectors(i, k) * e.vectors(j, k);
    }
    return {inv, true};
}

}  // namespace sightline::causal
