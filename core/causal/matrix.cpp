#include "core/causal/matrix.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sightline::causal {

Matrix::Matrix(int rows, int cols, double fill) : rows_(rows), cols_(cols) {
    if (rows < 0 || cols < 0) fail("Matrix: negative shape ", rows, " x ", cols);
    data_.assign(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), fill);
}

Matrix::Matrix(int rows, int cols, std::vector<double> values) : rows_(rows), cols_(cols) {
    if (rows < 0 || cols < 0) fail("Matrix: negative shape ", rows, " x ", cols);
    if (values.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        fail("Matrix: ", values.size(), " values given for a ", rows, " x ", cols, " matrix");
    data_ = std::move(values);
}

Matrix Matrix::identity(int n) {
    Matrix m(n, n);
    for (int i = 0; i < n; ++i) m(i, i) = 1.0;
    return m;
}

double Matrix::at(int r, int c) const {
    if (r < 0 || r >= rows_ || c < 0 || c >= cols_)
        fail("Matrix: index (", r, ", ", c, ") outside a ", rows_, " x ", cols_, " matrix");
    return (*this)(r, c);
}

Matrix Matrix::transposed() const {
    Matrix t(cols_, rows_);
    for (int r = 0; r < rows_; ++r)
        for (int c = 0; c < cols_; ++c) t(c, r) = (*this)(r, c);
    return t;
}

Matrix Matrix::multiply(const Matrix& other) const {
    if (cols_ != other.rows_)
        fail("Matrix: cannot multiply ", rows_, " x ", cols_, " by ", other.rows_, " x ", other.cols_);
    Matrix out(rows_, other.cols_);
    for (int r = 0; r < rows_; ++r) {
        for (int k = 0; k < cols_; ++k) {
            const double a = (*this)(r, k);
            if (a == 0.0) continue;
            for (int c = 0; c < other.cols_; ++c) out(r, c) += a * other(k, c);
        }
    }
    return out;
}

Matrix Matrix::gram() const {
    Matrix g(rows_, rows_);
    for (int i = 0; i < rows_; ++i) {
        for (int j = i; j < rows_; ++j) {
            double s = 0.0;
            for (int k = 0; k < cols_; ++k) s += (*this)(i, k) * (*this)(j, k);
            g(i, j) = s;
            g(j, i) = s;
        }
    }
    return g;
}

Matrix Matrix::sub_matrix(const std::vector<int>& indices) const {
    if (!is_square()) fail("Matrix: sub_matrix needs a square matrix, got ", rows_, " x ", cols_);
    const int k = static_cast<int>(indices.size());
    for (int i : indices)
        if (i < 0 || i >= rows_) fail("Matrix: sub_matrix index ", i, " outside 0..", rows_ - 1);
    Matrix s(k, k);
    for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b)
            s(a, b) = (*this)(indices[static_cast<std::size_t>(a)], indices[static_cast<std::size_t>(b)]);
    return s;
}

double Matrix::asymmetry() const {
    if (!is_square()) fail("Matrix: asymmetry needs a square matrix, got ", rows_, " x ", cols_);
    double worst = 0.0;
    for (int i = 0; i < rows_; ++i)
        for (int j = i + 1; j < cols_; ++j) worst = std::max(worst, std::abs((*this)(i, j) - (*this)(j, i)));
    return worst;
}

Matrix correlation_from_gram(const Matrix& c) {
    if (!c.is_square()) fail("correlation: the Gram matrix must be square, got ", c.rows(), " x ", c.cols());
    const int n = c.rows();
    constexpr double kTiny = 1e-300;
    std::vector<double> inv_std(static_cast<std::size_t>(n), 0.0);
    for (int i = 0; i < n; ++i) {
        const double d = c(i, i);
        if (!std::isfinite(d)) fail("correlation: diagonal entry ", i, " is not finite");
        if (d > kTiny) inv_std[static_cast<std::size_t>(i)] = 1.0 / std::sqrt(d);
    }
    Matrix rho(n, n);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const double si = inv_std[static_cast<std::size_t>(i)];
            const double sj = inv_std[static_cast<std::size_t>(j)];
            if (i == j) {
                rho(i, j) = 1.0;
            } else if (si == 0.0 || sj == 0.0) {
                rho(i, j) = 0.0;  // a node without variance is uncorrelated with everything
            } else {
                rho(i, j) = std::clamp(c(i, j) * si * sj, -1.0, 1.0);
            }
        }
    }
    return rho;
}

Matrix correlation_from_attention(const Matrix& attention_rows) {
    if (attention_rows.rows() == 0)
        fail("correlation_from_attention: no nodes (the attention matrix has no rows)");
    if (attention_rows.cols() == 0) fail("correlation_from_attention: the attention matrix has no columns");
    for (double v : attention_rows.values())
        if (!std::isfinite(v))
            fail("correlation_from_attention: the attention matrix holds a non-finite value");
    return correlation_from_gram(attention_rows.gram());
}

Matrix correlation_from_samples(const Matrix& samples) {
    const int m = samples.rows();
    const int n = samples.cols();
    if (m < 2) fail("correlation_from_samples: need at least 2 samples, got ", m);
    Matrix centered(n, m);  // variables x samples
    for (int v = 0; v < n; ++v) {
        double mean = 0.0;
        for (int s = 0; s < m; ++s) mean += samples(s, v);
        mean /= m;
        for (int s = 0; s < m; ++s) centered(v, s) = samples(s, v) - mean;
    }
    return correlation_from_gram(centered.gram());
}

}  // namespace sightline::causal
