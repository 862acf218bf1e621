#include "sim/output/html_page.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/output/svg_chart.h"

namespace servesim {
namespace {

constexpr const char* kCss = R"(body{font-family:sans-serif;margin:16px 24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:14px;margin:2px 0 6px}
p.meta{color:#555;margin:4px 0}nav a{margin-right:14px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.key{color:#444}
.raw{color:#999;font-size:10px;margin-left:6px;font-family:monospace}
pre{background:#f6f6f6;padding:8px 12px;overflow:auto;max-height:520px;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr));gap:14px}
svg.chart{border:1px solid #e4e4e4;width:100%;height:auto;display:block}
.single{max-width:1100px}
.scroll{overflow:auto;max-width:100%;max-height:640px;border:1px solid #e4e4e4}
.scroll table{width:max-content}
.groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(360px,100%),1fr));gap:12px}
.group{border:1px solid #e4e4e4;padding:6px 10px 8px}
.group table{width:100%}
@media(min-width:900px){.group.wide{grid-column:span 2}}
.banner{border:2px solid #d62728;background:#fdecea;padding:8px 14px;margin:10px 0}
.banner.warn{border-color:#e8710a;background:#fff4e5}
tr.overloaded td{background:#fdecea}tr.short_run td{background:#fff4e5}
.banner h2{border:none;margin:0 0 4px;font-size:16px}
.banner ul{margin:4px 0;padding-left:20px}
.slo{display:flex;flex-wrap:wrap;gap:24px;align-items:center}
.big{font-size:28px;font-weight:bold}
.meter{width:260px;height:14px;background:#eee;border:1px solid #ccc}
.meter div{height:100%}
)";

}  // namespace

std::string PageHead(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         HtmlEscape(title) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n";
}

std::string DisplayNumber(const std::string& text) {
  if (text.find_first_of(".eE") == std::string::npos) return text;
  const double v = std::strtod(text.c_str(), nullptr);
  char buf[48];
  const double a = std::fabs(v);
  if (v == 0) return "0";
  if (a >= 1e-3 && a < 1e12) {
    const int decimals = std::clamp(5 - static_cast<int>(std::floor(std::log10(a))), 0, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

std::string Grouped(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 12), value);
  std::string s = buf;
  if (s == "-0" || s.find_first_not_of("-0.") == std::string::npos) s.erase(0, s[0] == '-');
  const size_t start = s[0] == '-' ? 1 : 0;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  for (size_t i = end; i > start + 3; i -= 3) s.insert(i - 3, ",");
  return s;
}

std::string ThreeDigits(double value) {
  if (!std::isfinite(value)) return "n/a";
  const double a = std::fabs(value);
  if (a == 0) return "0";
  if (a < 1e-3) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2e", value);
    return buf;
  }
  const int digits = static_cast<int>(std::floor(std::log10(a))) + 1;
  return Grouped(value, std::max(0, 3 - digits));
}

}  // namespace servesim
