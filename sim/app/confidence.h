// Confidence intervals over replications: the mean of n independent runs and the half-width of
// its 95 % interval, mean +- t(0.975, n - 1) * s / sqrt(n) with s the sample standard deviation
// (Student t: the runs' spread estimates the unknown variance).
//
// Models: the t quantile inverts the t distribution function, computed as the regularized
// incomplete beta function I_x(dof/2, 1/2) with x = dof / (dof + t^2) (a Lentz continued
// fraction, Numerical Recipes 6.4), by bisection to the double precision limit.
//
// Ignores: autocorrelation inside one run (each replication is one independent observation).
#ifndef SERVESIM_SIM_APP_CONFIDENCE_H_
#define SERVESIM_SIM_APP_CONFIDENCE_H_

#include <vector>

namespace servesim {

// P(T <= t) for Student's t with `dof` >= 1 degrees of freedom.
double StudentTCdf(double t, double dof);

// The t with P(T <= t) = p, for 0.5 <= p < 1 and dof >= 1 (0 at p = 0.5).
double StudentTQuantile(double p, double dof);

struct MeanCi {
  double mean = 0;
  double half_width = 0;  // of the 95 % interval; 0 for one value
};

// The mean of `values` and the half-width of its 95 % confidence interval. Non-finite when a
// value is; `values` must not be empty.
MeanCi MeanCi95(const std::vector<double>& values);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_CONFIDENCE_H_
