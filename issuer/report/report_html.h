// The report as one self-contained HTML page (`epurse-issuer report --html FILE`): each
// currency's lines in report.h's order, its identity ("adds up" or "fails by X"), an inline
// SVG chart of its timeline, the findings and the unresolved transfers. The page loads
// nothing (no CSS, script, font or image from anywhere; its Content-Security-Policy forbids
// it), and every figure carries a data-figure attribute ("EUR.loaded", "EUR.identity") with
// data-minor holding the amount in minor units, so that a program can read the page back.
#pragma once

#include <string>

#include "issuer/books/report.h"

namespace epurse::issuer::report {

std::string reportHtml(const Report& report);

}  // namespace epurse::issuer::report
