#pragma once
// A small dense row-major matrix of doubles for the causal-discovery code (correlation matrices over
// at most a few hundred nodes), and the correlation matrices CLEANN starts from.
#include <cstddef>
#include <vector>

namespace sightline::causal {

class Matrix {
  public:
    Matrix() = default;
    Matrix(int rows, int cols, double fill = 0.0);
    // Row-major values; values.size() must be rows * cols.
    Matrix(int rows, int cols, std::vector<double> values);

    static Matrix identity(int n);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    bool is_square() const { return rows_ == cols_; }

    double& operator()(int r, int c) { return data_[index(r, c)]; }
    double operator()(int r, int c) const { return data_[index(r, c)]; }
    // Bounds-checked access: fails with a sightline::Error naming the index and the shape.
    double at(int r, int c) const;

    const std::vector<double>& values() const { return data_; }

    Matrix transposed() const;
    // this * other; fails when the inner dimensions differ.
    Matrix multiply(const Matrix& other) const;
    // this * this^T (rows x rows), symmetric by construction.
    Matrix gram() const;
    // The square sub-matrix over the given indices (in the given order), e.g. rho[{x, y} + Z].
    Matrix sub_matrix(const std::vector<int>& indices) const;
    // Largest |a_ij - a_ji|; 0 for a symmetric matrix.
    double asymmetry() const;

  private:
    std::size_t index(int r, int c) const {
        return static_cast<std::size_t>(r) * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(c);
    }

    int rows_ = 0;
    int cols_ = 0;
    std::vector<double> data_;
};

// Correlation from a Gram/covariance matrix: rho = D^{-1/2} C D^{-1/2}, D = diag(C). A node whose
// diagonal entry is not positive (<= 1e-300, e.g. an all-zero attention row) gets rho_ii = 1 and
// rho_ij = 0: it carries no signal and is reported as uncorrelated with everything. Values are clipped
// to [-1, 1] against rounding.
Matrix correlation_from_gram(const Matrix& c);

// CLEANN's correlation: the attention rows of the nodes (rows = nodes, columns = keys/features)
// give C = A A^T, then correlation_from_gram(C).
Matrix correlation_from_attention(const Matrix& attention_rows);

// Pearson correlation of the columns of a samples matrix (rows = samples, columns = variables).
// Needs at least 2 samples.
Matrix correlation_from_samples(const Matrix& samples);

}  // namespace sightline::causal
