// Student t quantiles and confidence intervals against textbook values (two-sided 95 % table,
// e.g. Montgomery & Runger, Appendix Table V).
#include "sim/app/confidence.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace servesim {
namespace {

TEST_CASE("t(0.975, dof) matches the textbook table", "[confidence]") {
  // dof 1 and 2 have closed forms: tan(0.475 pi) = 12.7062, 0.95 / sqrt(2 x 0.975 x 0.025) = 4.3027.
  CHECK(StudentTQuantile(0.975, 1) == Approx(12.7062).margin(1e-4));
  CHECK(StudentTQuantile(0.975, 2) == Approx(4.3027).margin(1e-4));
  CHECK(StudentTQuantile(0.975, 4) == Approx(2.776).margin(1e-3));
  CHECK(StudentTQuantile(0.975, 9) == Approx(2.262).margin(1e-3));
  CHECK(StudentTQuantile(0.975, 29) == Approx(2.045).margin(1e-3));
  CHECK(StudentTQuantile(0.975, 999) == Approx(1.962).margin(1e-3));  // near z = 1.960
  CHECK(StudentTQuantile(0.95, 10) == Approx(1.812).margin(1e-3));
  CHECK(StudentTQuantile(0.5, 3) == 0);
  CHECK(StudentTCdf(0, 5) == Approx(0.5));
  CHECK(StudentTCdf(-2.776, 4) == Approx(0.025).margin(1e-4));
}

TEST_CASE("MeanCi95: mean +- t s / sqrt(n)", "[confidence]") {
  // 1..5: mean 3, s = sqrt(2.5) = 1.5811, half-width 2.776 x 1.5811 / sqrt(5) = 1.963.
  const MeanCi ci = MeanCi95({1, 2, 3, 4, 5});
  CHECK(ci.mean == 3);
  CHECK(ci.half_width == Approx(1.963).margin(1e-3));
  const MeanCi same = MeanCi95({0.1, 0.1, 0.1});
  CHECK(same.mean == 0.1);
  CHECK(same.half_width == 0);
  CHECK(MeanCi95({7}).half_width == 0);
  CHECK(std::isnan(MeanCi95({1, NAN}).half_width));
}

}  // namespace
}  // namespace servesim
