#include "workloads/timestamp.h"

namespace servesim {

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ParseTimestampNs(std::string_view t) {
  auto num = [&](size_t pos, size_t len, int64_t& out) {
    if (pos + len > t.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (t.size() < 19 || !num(0, 4, y) || t[4] != '-' || !num(5, 2, mo) || t[7] != '-' ||
      !num(8, 2, d) || (t[10] != ' ' && t[10] != 'T') || !num(11, 2, h) || t[13] != ':' ||
      !num(14, 2, mi) || t[16] != ':' || !num(17, 2, s)) {
    return std::nullopt;
  }
  // Years are bounded so that any two timestamps' distance fits int64 nanoseconds (292 years).
  if (y < 1970 || y > 2200) return std::nullopt;
  constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDaysIn[mo - 1] || (mo == 2 && d == 29 && !leap) ||
      h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20 || t.size() > 29) return std::nullopt;
    int64_t scale = 100'000'000;
    for (size_t i = 20; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      frac_ns += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86'400 + h * 3'600 + mi * 60 + s;
  return seconds * 1'000'000'000 + frac_ns;
}

}  // namespace servesim
