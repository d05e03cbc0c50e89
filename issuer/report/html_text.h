// Text placed into an HTML page: every string goes through escapeHtml, whether it came from
// the ledger (a finding's detail is written from card data) or from this program.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace epurse::issuer::report {

// & < > " ' as character references: safe in element content and in quoted attributes.
std::string escapeHtml(std::string_view text);

// Appends the parts in order: markup is built by appending, never by operator+ on literals
// (GCC 12 at -O3 misreads "x" + s as an overlapping copy, -Wrestrict).
void appendAll(std::string& out, std::initializer_list<std::string_view> parts);

}  // namespace epurse::issuer::report
