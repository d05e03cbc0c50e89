// A main() for LLVMFuzzerTestOneInput when libFuzzer is not there (g++ builds, ctest).
//
//   TARGET [N [SEED]]     N deterministic pseudo-random inputs (default 200000) from SEED
//                          (default 1); the same N and SEED always give the same inputs.
//   TARGET FILE...         run each file once as an input, e.g. to replay a failure.
//
// Inputs lean toward shapes the parsers care about: valid APDUs, TLV and ATRs with one
// thing broken, lengths next to 0, 255, 256 and 65535. The target aborts on a violated
// invariant; before the process dies, the input is printed and saved to
// TARGET_failure.bin in the working directory.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/raw_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;

// ---- what to report if the target aborts ---------------------------------------------

const std::uint8_t* g_data = nullptr;
std::size_t g_size = 0;
unsigned long long g_index = 0;
const char* g_name = "fuzz";  // the program's name, for messages and the failure file
char g_failureFile[256] = "fuzz_failure.bin";
unsigned long long g_seed = 0;
volatile bool g_replay = false;

void writeAll(int fd, const char* s, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

void writeStr(int fd, const char* s) { writeAll(fd, s, std::strlen(s)); }

void writeNumber(int fd, unsigned long long v) {
  char buf[24];
  int i = sizeof buf;
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  writeAll(fd, buf + i, sizeof buf - static_cast<std::size_t>(i));
}

// Only async-signal-safe calls from here on.
extern "C" void onAbort(int sig) {
  static const char kDigits[] = "0123456789ABCDEF";
  if (g_replay) {
    writeStr(2, g_name);
    writeStr(2, ": FAILED on file #");
    writeNumber(2, g_index);
    writeStr(2, " (");
  } else {
    writeStr(2, g_name);
    writeStr(2, ": FAILED on input #");
    writeNumber(2, g_index);
    writeStr(2, " (seed ");
    writeNumber(2, g_seed);
    writeStr(2, ", ");
  }
  writeNumber(2, g_size);
  writeStr(2, " bytes): ");
  const std::size_t shown = g_size < 512 ? g_size : 512;
  for (std::size_t i = 0; i < shown; ++i) {
    const char pair[2] = {kDigits[g_data[i] >> 4], kDigits[g_data[i] & 0xF]};
    writeAll(2, pair, 2);
  }
  writeStr(2, shown < g_size ? "...\n" : "\n");
  const int fd = ::open(g_failureFile, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd >= 0) {
    writeAll(fd, reinterpret_cast<const char*>(g_data), g_size);
    ::close(fd);
    writeStr(2, g_name);
    writeStr(2, ": input saved to ");
    writeStr(2, g_failureFile);
    writeStr(2, "; replay by giving that file as the argument\n");
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void runOne(const Input& in, unsigned long long index) {
  g_data = in.data();
  g_size = in.size();
  g_index = index;
  LLVMFuzzerTestOneInput(in.data(), in.size());
}

// ---- deterministic generator ---------------------------------------------------------

// splitmix64: tiny, and the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(next()); }
  template <typename T, std::size_t N>
  T pick(const T (&options)[N]) {
    return options[below(N)];
  }

 private:
  std::uint64_t s_;
};

void appendRandom(Rng& rng, Input& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(rng.byte());
}

void appendU16(Input& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// A length that is usually small and often sits on an interesting boundary.
std::size_t interestingLength(Rng& rng, std::size_t max) {
  static const std::size_t kEdges[] = {0, 1, 2, 3, 126, 127, 128, 129, 254, 255, 256, 257, 258, 65534, 65535, 65536};
  std::size_t n;
  switch (rng.below(4)) {
    case 0: n = rng.pick(kEdges); break;
    case 1: n = rng.below(300); break;
    default: n = rng.below(24); break;
  }
  return n > max ? max : n;
}

// One thing broken: a byte changed, a byte dropped or added, the end cut off or extended.
void mutate(Rng& rng, Input& in) {
  switch (rng.below(6)) {
    case 0:
    case 1:
      if (!in.empty()) in[rng.below(in.size())] = rng.byte();
      break;
    case 2:
      if (!in.empty()) in[rng.below(in.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 3:
      if (!in.empty()) in.resize(in.size() - 1 - rng.below(in.size() < 3 ? in.size() : 3));
      break;
    case 4:
      appendRandom(rng, in, 1 + rng.below(3));
      break;
    default:
      if (!in.empty()) in.erase(in.begin() + static_cast<std::ptrdiff_t>(rng.below(in.size())));
      break;
  }
}

// A command APDU of a random ISO case in short or extended form; big ones are rare.
Input commandApdu(Rng& rng) {
  Input out{rng.byte(), rng.byte(), rng.byte(), rng.byte()};
  const bool big = rng.below(2000) == 0;
  const bool ext = big || rng.chance(40);
  const std::size_t maxNc = ext ? (big ? 65535 : 600) : 255;
  const bool hasData = rng.chance(60);
  const bool hasLe = rng.chance(60);
  std::size_t nc = hasData ? interestingLength(rng, maxNc) : 0;
  if (big && hasData) nc = 65535 - rng.below(3);
  if (hasData && nc == 0) nc = 1;
  if (nc > 0) {
    if (ext) {
      out.push_back(0x00);
      appendU16(out, nc);
    } else {
      out.push_back(static_cast<std::uint8_t>(nc));
    }
    appendRandom(rng, out, nc);
  }
  if (hasLe) {
    const std::size_t le = rng.chance(30) ? 0 : interestingLength(rng, ext ? 65535 : 255);
    if (ext) {
      if (nc == 0) out.push_back(0x00);
      appendU16(out, le);
    } else {
      out.push_back(static_cast<std::uint8_t>(le));
    }
  }
  return out;
}

// A header, a length field next to a boundary, and a body whose size is off by a little.
Input lengthEdges(Rng& rng) {
  Input out{0x00, rng.byte(), rng.byte(), rng.byte()};
  static const std::size_t kLengths[] = {0, 1, 2, 127, 128, 255, 256, 257, 65534, 65535};
  const std::size_t announced = rng.pick(kLengths);
  if (rng.chance(50) && announced <= 255) {
    out.push_back(static_cast<std::uint8_t>(announced));
  } else {
    out.push_back(0x00);
    appendU16(out, announced);
  }
  std::size_t body = announced + rng.below(6);
  body = body >= 3 ? body - 3 : 0;
  if (body > 4000 && rng.below(50) != 0) body = rng.below(8);  // keep most inputs small
  appendRandom(rng, out, body);
  return out;
}

Input responseApdu(Rng& rng) {
  Input out;
  appendRandom(rng, out, interestingLength(rng, 600));
  static const std::uint16_t kSws[] = {0x9000, 0x6100, 0x61FF, 0x6C00, 0x6C10, 0x63C3, 0x6A82, 0x6F00, 0x6283};
  const std::uint16_t s = rng.chance(70) ? rng.pick(kSws) : static_cast<std::uint16_t>(rng.next());
  appendU16(out, s);
  return out;
}

void appendTag(Rng& rng, Input& out) {
  static const std::uint8_t kSingle[] = {0x4F, 0x50, 0x5A, 0x6F, 0x70, 0x84, 0x87, 0xA5, 0x61, 0xE1, 0x01, 0x3E};
  switch (rng.below(8)) {
    case 0:
    case 1:
    case 2: out.push_back(rng.pick(kSingle)); break;
    case 3: out.push_back(rng.byte()); break;
    case 4:  // two bytes
      out.push_back(rng.pick({0x9F, 0x5F, 0xBF, 0xDF, 0x7F, 0x1F}));
      out.push_back(static_cast<std::uint8_t>(rng.byte() & 0x7F));
      break;
    case 5:  // three bytes
      out.push_back(rng.pick({0x9F, 0x5F, 0xBF, 0xDF, 0x7F}));
      out.push_back(static_cast<std::uint8_t>(rng.byte() | 0x80));
      out.push_back(static_cast<std::uint8_t>(rng.byte() & 0x7F));
      break;
    case 6:  // four bytes: too long
      out.push_back(0xDF);
      out.push_back(0x81);
      out.push_back(0x82);
      out.push_back(0x03);
      break;
    default:  // a leading 80 subsequent byte
      out.push_back(0x9F);
      out.push_back(0x80);
      out.push_back(0x01);
      break;
  }
}

void appendLength(Rng& rng, Input& out, std::size_t n) {
  if (rng.below(12) == 0) {  // a form the parser must refuse or an inconsistent one
    static const std::uint8_t kOdd[] = {0x80, 0x85, 0x86, 0x8F, 0xFF, 0x81, 0x82, 0x84};
    out.push_back(rng.pick(kOdd));
    return;
  }
  if (n < 128 && rng.chance(85)) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  std::size_t count = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
  if (rng.chance(15)) count = 4;  // long form longer than needed
  out.push_back(static_cast<std::uint8_t>(0x80 | count));
  for (std::size_t i = count; i-- > 0;) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
}

void appendTlvObjects(Rng& rng, Input& out, int depth) {
  const std::size_t objects = 1 + rng.below(4);
  for (std::size_t k = 0; k < objects; ++k) {
    if (rng.chance(20)) out.insert(out.end(), 1 + rng.below(3), rng.chance(50) ? 0x00 : 0xFF);
    appendTag(rng, out);
    Input value;
    if (depth < 3 && rng.chance(35)) {
      appendTlvObjects(rng, value, depth + 1);
    } else {
      appendRandom(rng, value, interestingLength(rng, 300));
    }
    appendLength(rng, out, value.size());
    out.insert(out.end(), value.begin(), value.end());
  }
}

Input tlv(Rng& rng) {
  Input out;
  appendTlvObjects(rng, out, 0);
  return out;
}

// An ATR: random interface groups, historical bytes, and a TCK that is usually right.
Input atr(Rng& rng) {
  Input out{static_cast<std::uint8_t>(rng.chance(90) ? 0x3B : (rng.chance(50) ? 0x3F : rng.byte()))};
  const std::size_t k = rng.below(16);
  std::uint8_t y = static_cast<std::uint8_t>(rng.byte() & 0xF0);
  out.push_back(static_cast<std::uint8_t>(y | k));
  bool needTck = false;
  for (int group = 0; group < 6; ++group) {
    for (std::uint8_t bit : {0x10, 0x20, 0x40}) {
      if (y & bit) out.push_back(rng.byte());
    }
    if (!(y & 0x80)) break;
    static const std::uint8_t kT[] = {0, 1, 1, 0, 15, 14, 2};
    const std::uint8_t t = rng.pick(kT);
    if (t != 0) needTck = true;
    y = group < 4 ? static_cast<std::uint8_t>(rng.byte() & 0xF0) : 0x00;
    out.push_back(static_cast<std::uint8_t>(y | t));
  }
  appendRandom(rng, out, k);
  if (needTck || rng.chance(10)) {
    std::uint8_t x = 0;
    for (std::size_t i = 1; i < out.size(); ++i) x ^= out[i];
    out.push_back(rng.chance(85) ? x : rng.byte());
  }
  return out;
}

Input hexText(Rng& rng) {
  static const char kChars[] = "0123456789abcdefABCDEF :\t\n0123456789ABCDEF";
  Input out;
  const std::size_t n = rng.below(80);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(rng.chance(97) ? static_cast<std::uint8_t>(kChars[rng.below(sizeof kChars - 1)]) : rng.byte());
  }
  return out;
}

Input generate(Rng& rng) {
  Input in;
  const std::size_t shape = rng.below(100);
  if (shape < 12) {
    appendRandom(rng, in, rng.chance(70) ? rng.below(16) : rng.below(400));
    return in;
  }
  if (shape < 40) {
    in = commandApdu(rng);
  } else if (shape < 50) {
    in = lengthEdges(rng);
  } else if (shape < 55) {
    in = responseApdu(rng);
  } else if (shape < 78) {
    in = tlv(rng);
  } else if (shape < 93) {
    in = atr(rng);
  } else {
    in = hexText(rng);
  }
  if (rng.chance(55)) mutate(rng, in);
  if (rng.chance(10)) mutate(rng, in);
  return in;
}

bool isNumber(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* slash = std::strrchr(argv[0], '/');
  g_name = slash ? slash + 1 : argv[0];
  std::snprintf(g_failureFile, sizeof g_failureFile, "%s_failure.bin", g_name);
  std::signal(SIGABRT, onAbort);

  if (argc > 1 && !isNumber(argv[1])) {  // replay files
    g_replay = true;
    for (int i = 1; i < argc; ++i) {
      std::ifstream f(argv[i], std::ios::binary);
      if (!f) {
        std::fprintf(stderr, "%s: cannot read %s\n", g_name, argv[i]);
        return 2;
      }
      const Input in((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      runOne(in, static_cast<unsigned long long>(i));
    }
    std::printf("%s: %d files, 0 failures\n", g_name, argc - 1);
    return 0;
  }

  const unsigned long long count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  g_seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  Rng rng(g_seed);
  // Fixed corner inputs first, then the generated ones.
  const std::vector<Input> corners{{},
                                   {0x00},
                                   {0x90, 0x00},
                                   {0x00, 0xA4, 0x04, 0x00},
                                   {0x3B, 0x00},
                                   {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}};
  for (std::size_t i = 0; i < corners.size(); ++i) runOne(corners[i], i);
  for (unsigned long long i = 0; i < count; ++i) runOne(generate(rng), corners.size() + i);
  // A failure aborts the process (see onAbort), so reaching this line means there were none.
  std::printf("%s: %llu inputs, 0 failures (seed %llu, plus %zu fixed corner inputs)\n", g_name, count, g_seed,
              corners.size());
  return 0;
}
