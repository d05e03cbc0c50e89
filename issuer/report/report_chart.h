// One currency's timeline as an inline SVG chart: the float and the cumulative loaded,
// unloaded and refunded amounts, each a step line (they change only when an order settles),
// with labelled axes. Drawn by hand: the page loads nothing.
#pragma once

#include <string>
#include <vector>

#include "issuer/books/report.h"

namespace epurse::issuer::report {

// The series drawn, in order: their data-series suffixes.
inline constexpr const char* kChartSeries[] = {"float", "loaded", "unloaded", "refunded"};

// `points` are this currency's, by time. An empty list gives "" (nothing to draw); one point
// (or several at one instant) is drawn across a two-hour window around it. The <svg> carries
// data-chart="EUR" and data-points="N", each series a <path data-series="EUR.float">.
std::string timelineSvg(const std::vector<ReportPoint>& points, protocol::Currency currency);

}  // namespace epurse::issuer::report
