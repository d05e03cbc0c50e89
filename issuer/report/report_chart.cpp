#include "issuer/report/report_chart.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "issuer/report/html_text.h"
#include "issuer/report/report_money.h"

namespace epurse::issuer::report {
namespace {

constexpr double kWidth = 760, kHeight = 340;
constexpr double kLeft = 96, kRight = 24, kTop = 24, kBottom = 64;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
constexpr ledger::UnixTime kLonePointMargin = 3600;  // seconds either side of a single instant
constexpr int kMaxTicks = 5;
constexpr std::size_t kMaxMarkers = 60;  // beyond this the markers hide the lines
constexpr const char* kColours[] = {"#1b5e20", "#0d47a1", "#b71c1c", "#e65100"};

Money seriesValue(const ReportPoint& p, std::size_t series) {
  switch (series) {
    case 0: return p.floatValue;
    case 1: return p.loaded;
    case 2: return p.unloaded;
    default: return p.refunded;
  }
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// A step of 1, 2 or 5 times a power of ten, so that at most kMaxTicks steps span `range`.
Money tickStep(Money range) {
  Money step = 1;
  for (;;) {
    for (Money factor : {1, 2, 5}) {
      if (range / (step * factor) <= kMaxTicks) return step * factor;
    }
    step *= 10;
  }
}

Money floorTo(Money value, Money step) { return value >= 0 ? value / step * step : -((-value + step - 1) / step * step); }
Money ceilTo(Money value, Money step) { return -floorTo(-value, step); }

// "2026-12-01 11:42" (UTC).
std::string timeLabel(ledger::UnixTime at) {
  std::string text = utcText(at);
  if (text.size() >= 16) {
    text = text.substr(0, 16);
    text[10] = ' ';
  }
  return text;
}

struct Frame {
  ledger::UnixTime from, to;
  Money low, high, step;
  double x(ledger::UnixTime at) const {
    return kLeft + kPlotWidth * static_cast<double>(at - from) / static_cast<double>(to - from);
  }
  double y(Money value) const {
    return kTop + kPlotHeight * static_cast<double>(high - value) / static_cast<double>(high - low);
  }
};

Frame frameOf(const std::vector<ReportPoint>& points) {
  Frame f{points.front().at, points.back().at, 0, 0, 1};
  for (const ReportPoint& p : points) {
    f.from = std::min(f.from, p.at);
    f.to = std::max(f.to, p.at);
    for (std::size_t s = 0; s < std::size(kChartSeries); ++s) {
      f.low = std::min(f.low, seriesValue(p, s));
      f.high = std::max(f.high, seriesValue(p, s));
    }
  }
  if (f.from == f.to) {
    f.from -= kLonePointMargin;
    f.to += kLonePointMargin;
  }
  if (f.low == f.high) f.high = f.low + 1;
  f.step = tickStep(f.high - f.low);
  f.low = floorTo(f.low, f.step);
  f.high = ceilTo(f.high, f.step);
  return f;
}

void appendAxes(std::string& svg, const Frame& f, protocol::Currency currency, const std::string& label) {
  const std::string left = number(kLeft), right = number(kLeft + kPlotWidth);
  const std::string top = number(kTop), bottom = number(kTop + kPlotHeight);
  appendAll(svg, {"<g class=\"axes\" stroke=\"#444\" fill=\"none\"><path d=\"M", left, " ", top, " V", bottom, " H",
                  right, "\"/></g>"});
  // y: amounts at each step, with grid lines.
  for (Money v = f.low; v <= f.high; v += f.step) {
    const std::string y = number(f.y(v));
    appendAll(svg, {"<line class=\"grid\" x1=\"", left, "\" x2=\"", right, "\" y1=\"", y, "\" y2=\"", y,
                    "\" stroke=\"#ddd\"/>"});
    appendAll(svg, {"<text class=\"tick\" x=\"", number(kLeft - 8), "\" y=\"", y, "\" text-anchor=\"end\" dy=\"0.35em\">",
                    escapeHtml(moneyText(v, currency)), "</text>"});
  }
  // x: the first, middle and last instant, anchored so that none runs off the chart.
  const ledger::UnixTime middle = f.from + (f.to - f.from) / 2;
  const std::pair<ledger::UnixTime, const char*> ticks[] = {{f.from, "start"}, {middle, "middle"}, {f.to, "end"}};
  for (const auto& [at, anchor] : ticks) {
    appendAll(svg, {"<text class=\"tick\" x=\"", number(f.x(at)), "\" y=\"", number(kTop + kPlotHeight + 18),
                    "\" text-anchor=\"", anchor, "\">", escapeHtml(timeLabel(at)), "</text>"});
  }
  appendAll(svg, {"<text class=\"axis-title\" x=\"", number(kLeft + kPlotWidth / 2), "\" y=\"", number(kHeight - 12),
                  "\" text-anchor=\"middle\">time (UTC)</text>"});
  appendAll(svg, {"<text class=\"axis-title\" transform=\"translate(16 ", number(kTop + kPlotHeight / 2),
                  ") rotate(-90)\" text-anchor=\"middle\">", escapeHtml(label), "</text>"});
}

void appendSeries(std::string& svg, const std::vector<ReportPoint>& points, const Frame& f, std::size_t series,
                  const std::string& label) {
  const std::string_view colour = kColours[series];
  std::string id = label;
  id += '.';
  id += kChartSeries[series];
  std::string d;
  appendAll(d, {"M", number(f.x(points.front().at)), " ", number(f.y(seriesValue(points.front(), series)))});
  for (std::size_t i = 1; i < points.size(); ++i) {
    appendAll(d, {" H", number(f.x(points[i].at)), " V", number(f.y(seriesValue(points[i], series)))});
  }
  appendAll(d, {" H", number(kLeft + kPlotWidth)});  // the last value holds until now
  appendAll(svg, {"<path data-series=\"", escapeHtml(id), "\" d=\"", d, "\" fill=\"none\" stroke=\"", colour,
                  "\" stroke-width=\"2\"/>"});
  if (points.size() > kMaxMarkers) return;
  for (const ReportPoint& p : points) {
    appendAll(svg, {"<circle cx=\"", number(f.x(p.at)), "\" cy=\"", number(f.y(seriesValue(p, series))),
                    "\" r=\"3\" fill=\"", colour, "\"/>"});
  }
}

void appendLegend(std::string& svg) {
  double x = kLeft;
  for (std::size_t s = 0; s < std::size(kChartSeries); ++s) {
    appendAll(svg, {"<rect x=\"", number(x), "\" y=\"6\" width=\"12\" height=\"12\" fill=\"", kColours[s],
                    "\"/><text x=\"", number(x + 16), "\" y=\"16\">", kChartSeries[s], "</text>"});
    x += 110;
  }
}

}  // namespace

std::string timelineSvg(const std::vector<ReportPoint>& points, protocol::Currency currency) {
  if (points.empty()) return {};
  const std::string label = currencyLabel(currency);
  const Frame frame = frameOf(points);
  std::string svg;
  svg.reserve(4096 + points.size() * 200);
  appendAll(svg, {"<svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"", escapeHtml(label), "\" data-points=\"",
                  std::to_string(points.size()), "\" width=\"", number(kWidth), "\" height=\"", number(kHeight),
                  "\" viewBox=\"0 0 ", number(kWidth), " ", number(kHeight), "\" role=\"img\" font-size=\"12\">"});
  appendAll(svg, {"<title>", escapeHtml(label), ": the float and the cumulative flows over time</title>"});
  appendAxes(svg, frame, currency, label);
  for (std::size_t s = 0; s < std::size(kChartSeries); ++s) appendSeries(svg, points, frame, s, label);
  appendLegend(svg);
  svg += "</svg>";
  return svg;
}

}  // namespace epurse::issuer::report
