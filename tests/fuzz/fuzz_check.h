// The invariant check every fuzz target uses: a violated invariant names the target, the
// source line and the condition, then aborts, so that libFuzzer (or the standalone driver)
// keeps the input that did it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace epurse::fuzz {

[[noreturn]] inline void violated(const char* file, int line, const char* what) {
  std::fprintf(stderr, "fuzz: invariant violated at %s:%d: %s\n", file, line, what);
  std::abort();
}

}  // namespace epurse::fuzz

#define FUZZ_CHECK(cond)                                                \
  do {                                                                  \
    if (!(cond)) ::epurse::fuzz::violated(__FILE__, __LINE__, #cond);   \
  } while (0)
