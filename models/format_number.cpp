#include "models/format_number.h"

#include <charconv>
#include <cmath>

namespace servesim {

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

}  // namespace servesim
