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
  size_t end = 19;  // one past the fraction
  int64_t frac_ns = 0;
  if (t.size() > 19 && t[19] == '.') {
    end = 20;
    int64_t scale = 100'000'000;
    while (end < t.size() && t[end] >= '0' && t[end] <= '9') {
      if (end - 20 >= 9) return std::nullopt;
      frac_ns += (t[end] - '0') * scale;
      scale /= 10;
      ++end;
    }
    if (end == 20) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (end < t.size()) {
    const std::string_view zone = t.substr(end);
    if (zone == "Z" || zone == "z") {
    } else if (zone[0] == '+' || zone[0] == '-') {
      int64_t oh = 0, om = 0;
      const bool ok = zone.size() == 3   ? num(end + 1, 2, oh)
                      : zone.size() == 5 ? num(end + 1, 2, oh) && num(end + 3, 2, om)
                      : zone.size() == 6
                          ? num(end + 1, 2, oh) && zone[3] == ':' && num(end + 4, 2, om)
                          : false;
      if (!ok || oh > 23 || om > 59) return std::nullopt;
      offset_s = (zone[0] == '+' ? 1 : -1) * (oh * 3'600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86'400 + h * 3'600 + mi * 60 + s - offset_s;
  return seconds * 1'000'000'000 + frac_ns;
}

}  // namespace servesim
