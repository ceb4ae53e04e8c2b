#pragma once
// Inverse of a small symmetric positive semi-definite matrix (a correlation sub-matrix), robust to
// singularity: Cholesky when the matrix is safely positive definite, otherwise the Moore-Penrose
// pseudo-inverse from a Jacobi eigen-decomposition (the reference CLEANN code uses numpy's pinv).
#include "core/causal/matrix.h"

namespace sightline::causal {

struct SymmetricInverse {
    Matrix inverse;
    bool pseudo = false;  // true when the pseudo-inverse was used (the matrix was singular or nearly so)
};

// Relative threshold: a Cholesky pivot or an eigenvalue at or below kSingularTolerance * max|diagonal|
// (resp. max|eigenvalue|) counts as zero.
constexpr double kSingularTolerance = 1e-12;

// Fails on a non-square or non-finite matrix. Only the upper triangle is read.
SymmetricInverse invert_symmetric(const Matrix& a);

// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.
struct SymmetricEigen {
    std::vector<double> values;
    Matrix vectors;
};
SymmetricEigen eigen_symmetric(const Matrix& a);

}  // namespace sightline::causal
