// What the HTML pages (report.html, sweep.html, the roofline page) share: the page head with its
// inline stylesheet, the chart palette, and number formatting for tables.
//
// Models: a page that uses the window's full width: charts sit in a grid of columns at least
// 520 px wide and scale with their column (SVG viewBox), wide tables scroll inside their own box
// (class "scroll") instead of widening the page. No script, font or network reference.
// Ignores: print layout and dark mode.
#ifndef SERVESIM_SIM_OUTPUT_HTML_PAGE_H_
#define SERVESIM_SIM_OUTPUT_HTML_PAGE_H_

#include <string>

namespace servesim {

inline constexpr const char* kBlue = "#1f77b4";
inline constexpr const char* kOrange = "#e8710a";
inline constexpr const char* kGreen = "#2ca02c";
inline constexpr const char* kRed = "#d62728";
inline constexpr const char* kPurple = "#7b4fb0";
inline constexpr const char* kGray = "#555";
// Series colours in order, for charts with one series per sweep combination.
inline constexpr const char* kPalette[] = {kBlue, kOrange,   kGreen,    kRed,      kPurple,
                                           kGray, "#17becf", "#bcbd22", "#8c564b", "#e377c2"};
inline constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

// "<!DOCTYPE html> ... <body>" with the shared stylesheet and `title`.
std::string PageHead(const std::string& title);

// A number from JSON or CSV text for a table cell: integers as they are, others with about six
// significant digits ("0.037972", "1443.85").
std::string DisplayNumber(const std::string& text);

// `value` with `decimals` decimals and thousands separators: Grouped(84489, 0) = "84,489".
std::string Grouped(double value, int decimals);

// `value` with three significant digits (at least, for values of 1000 and more, which keep their
// integer digits) and thousands separators: 2888.23 -> "2,888", 31.19 -> "31.2", 0.0379 ->
// "0.0379".
std::string ThreeDigits(double value);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_HTML_PAGE_H_
