// Fuzz target for the APDU library's parsers: every input goes through CommandApdu::parse,
// ResponseApdu::parse, parseTlv/parseTlvSequence, parseAtr, fromHex and sw::describe, and
// what they return is checked against invariants derived from ISO/IEC 7816 rather than
// against the code itself. A violated invariant prints what failed and calls abort().
//
// Built two ways: with standalone_fuzz_driver.cpp (deterministic inputs, registered with
// ctest), and with clang's -fsanitize=fuzzer as a libFuzzer binary (not registered).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "apdu/atr.h"
#include "apdu/ber_tlv.h"
#include "apdu/command_apdu.h"
#include "apdu/response_apdu.h"
#include "apdu/status_word.h"
#include "base/bytes.h"
#include "base/hex.h"

namespace {

using epurse::Bytes;
using epurse::ByteView;

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "apdu_fuzz: invariant violated at apdu_fuzz.cpp:%d: %s\n", line, what);
  std::abort();
}

#define FUZZ_CHECK(cond)                        \
  do {                                          \
    if (!(cond)) violated(#cond, __LINE__);     \
  } while (0)

bool sameBytes(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool within(ByteView inner, ByteView outer) {
  if (inner.empty()) return true;  // an empty view may point anywhere
  const auto* b = outer.data();
  const auto* e = outer.data() + outer.size();
  return inner.data() >= b && inner.data() + inner.size() <= e;
}

// ---- command APDU --------------------------------------------------------------------

// Which byte strings ISO/IEC 7816-4 5.1 calls a command APDU, written independently of
// command_apdu.cpp: header, then nothing / Le / Lc data [Le] in short or extended form.
bool isoValidCommand(ByteView in) {
  if (in.size() < 4) return false;
  const std::size_t body = in.size() - 4;
  if (body <= 1) return true;                   // case 1, case 2S
  const std::size_t b0 = in[4];
  if (b0 != 0) return body == 1 + b0 || body == 2 + b0;  // 3S, 4S
  if (body == 3) return true;                   // 2E
  if (body < 3) return false;
  const std::size_t lc = (std::size_t{in[5]} << 8) | in[6];
  if (lc == 0) return false;
  return body == 3 + lc || body == 5 + lc;      // 3E, 4E
}

void checkCommand(ByteView in) {
  auto r = epurse::CommandApdu::parse(in);
  FUZZ_CHECK(r.isOk() == isoValidCommand(in));
  if (!r.isOk()) {
    FUZZ_CHECK(r.error().code == epurse::ErrorCode::kMalformed);
    FUZZ_CHECK(!r.error().message.empty());
    return;
  }
  const epurse::CommandApdu& c = *r;
  FUZZ_CHECK(c.cla() == in[0] && c.ins() == in[1] && c.p1() == in[2] && c.p2() == in[3]);
  FUZZ_CHECK(c.data().size() <= epurse::CommandApdu::kMaxExtendedNc);
  if (c.ne()) FUZZ_CHECK(*c.ne() >= 1 && *c.ne() <= epurse::CommandApdu::kMaxExtendedNe);
  // The data sits inside the input right after its length field.
  if (!c.data().empty()) {
    const std::size_t offset = in[4] == 0 ? 7 : 5;
    FUZZ_CHECK(offset + c.data().size() <= in.size());
    FUZZ_CHECK(sameBytes(c.data(), in.subspan(offset, c.data().size())));
  }
  using Case = epurse::CommandApdu::Case;
  const Case expected = c.data().empty() ? (c.ne() ? Case::k2 : Case::k1) : (c.ne() ? Case::k4 : Case::k3);
  FUZZ_CHECK(c.isoCase() == expected);
  FUZZ_CHECK(c.isExtended() == (in.size() > 6 && in[4] == 0));
  // The one invariant that matters most: a parsed command re-serialises to its input.
  const Bytes out = c.serialize();
  FUZZ_CHECK(sameBytes(out, in));
  auto again = epurse::CommandApdu::parse(out);
  FUZZ_CHECK(again.isOk() && *again == c);
  FUZZ_CHECK(c.withNe(c.ne()) == c);
  FUZZ_CHECK(sameBytes(c.withNe(c.ne()).serialize(), in));
}

// The other direction: build a command from the input's bytes, serialise, parse back.
void checkCommandBuild(ByteView in) {
  if (in.size() < 6) return;
  const std::uint32_t selector = (std::uint32_t{in[4]} << 8) | in[5];
  std::optional<std::uint32_t> ne;
  if (selector != 0) ne = selector + (in[0] & 1);  // 1..65536
  Bytes data(in.begin() + 6, in.end());
  if (data.size() > epurse::CommandApdu::kMaxExtendedNc) data.resize(epurse::CommandApdu::kMaxExtendedNc);
  epurse::CommandApdu c(in[0], in[1], in[2], in[3], data, ne);
  if (in[1] & 1) c.setExtended(true);
  const Bytes out = c.serialize();
  auto back = epurse::CommandApdu::parse(out);
  FUZZ_CHECK(back.isOk());
  FUZZ_CHECK(*back == c);
  FUZZ_CHECK(sameBytes(back->serialize(), out));
  // Short form exactly when nothing asks for extended; both sizes follow from the case.
  const bool ext = c.isExtended();
  FUZZ_CHECK(ext == ((in[1] & 1) || data.size() > 255 || (ne && *ne > 256)));
  std::size_t size = 4;
  if (!data.empty()) size += (ext ? 3 : 1) + data.size();
  if (ne) size += ext ? (data.empty() ? 3 : 2) : 1;
  FUZZ_CHECK(out.size() == size);
}

// ---- response APDU -------------------------------------------------------------------

void checkResponse(ByteView in) {
  auto r = epurse::ResponseApdu::parse(in);
  FUZZ_CHECK(r.isOk() == (in.size() >= 2));
  if (!r.isOk()) {
    FUZZ_CHECK(r.error().code == epurse::ErrorCode::kMalformed);
    return;
  }
  FUZZ_CHECK(r->data().size() == in.size() - 2);
  FUZZ_CHECK(r->sw1() == in[in.size() - 2] && r->sw2() == in[in.size() - 1]);
  FUZZ_CHECK(r->isSuccess() == (in[in.size() - 2] == 0x90 && in[in.size() - 1] == 0x00));
  FUZZ_CHECK(sameBytes(r->serialize(), in));
}

// ---- BER-TLV -------------------------------------------------------------------------

void checkTlvObject(const epurse::TlvObject& o, ByteView buffer) {
  FUZZ_CHECK(within(o.value, buffer));
  FUZZ_CHECK(o.tag != 0 && (o.tag >> 24) == 0);
  // Re-encode in minimal form: the encoder must accept every tag the parser produced, and
  // the parser must read back the same tag and value.
  Bytes enc;
  try {
    enc = epurse::encodeTlv(o.tag, o.value);
  } catch (const std::exception&) {
    violated("encodeTlv refused a tag that parseTlv produced", __LINE__);
  }
  std::size_t used = 0;
  auto back = epurse::parseTlv(enc, used);
  FUZZ_CHECK(back.isOk());
  FUZZ_CHECK(back->tag == o.tag);
  FUZZ_CHECK(used == enc.size());
  FUZZ_CHECK(sameBytes(back->value, o.value));
  FUZZ_CHECK(back->isConstructed() == ((enc[0] & 0x20) != 0));
  FUZZ_CHECK(o.isConstructed() == back->isConstructed());
}

void checkTlvSequence(ByteView in, int depth) {
  auto r = epurse::parseTlvSequence(in);
  if (!r.isOk()) {
    FUZZ_CHECK(r.error().code == epurse::ErrorCode::kMalformed);
    return;
  }
  const std::uint8_t* last = in.data();
  for (const auto& o : *r) {
    checkTlvObject(o, in);
    if (!o.value.empty()) {  // objects come in order and do not overlap
      FUZZ_CHECK(o.value.data() >= last);
      last = o.value.data() + o.value.size();
    }
    if (o.isConstructed() && depth < 8) checkTlvSequence(o.value, depth + 1);
  }
  // Total size: every byte is padding, a header, or inside exactly one value.
  std::size_t valueBytes = 0;
  for (const auto& o : *r) valueBytes += o.value.size();
  FUZZ_CHECK(valueBytes + 2 * r->size() <= in.size());
}

void checkTlvOne(ByteView in) {
  std::size_t consumed = 0;
  auto r = epurse::parseTlv(in, consumed);
  if (!r.isOk()) {
    FUZZ_CHECK(r.error().code == epurse::ErrorCode::kMalformed);
    return;
  }
  FUZZ_CHECK(consumed >= 2 && consumed <= in.size());
  FUZZ_CHECK(within(r->value, in));
  // The value ends exactly where the object does.
  FUZZ_CHECK(r->value.empty() || r->value.data() + r->value.size() == in.data() + consumed);
  FUZZ_CHECK(consumed - r->value.size() <= 3 + 5);  // at most 3 tag bytes, 5 length bytes
}

// ---- ATR -----------------------------------------------------------------------------

std::uint8_t xorAfterTs(ByteView atr) {
  std::uint8_t x = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
  return x;
}

void checkAtr(ByteView in) {
  auto r = epurse::parseAtr(in);
  if (!r.isOk()) {
    FUZZ_CHECK(r.error().code == epurse::ErrorCode::kMalformed);
    return;
  }
  const epurse::AtrInfo& info = *r;
  FUZZ_CHECK(in.size() >= 2 && in.size() <= epurse::kMaxAtrSize);
  FUZZ_CHECK(in[0] == 0x3B || in[0] == 0x3F);
  FUZZ_CHECK(info.historical.size() == (in[1] & 0x0Fu));
  const std::size_t histEnd = in.size() - (info.hasTck ? 1 : 0);
  FUZZ_CHECK(histEnd >= info.historical.size());
  FUZZ_CHECK(sameBytes(info.historical, in.subspan(histEnd - info.historical.size(), info.historical.size())));
  if (info.hasTck) FUZZ_CHECK(xorAfterTs(in) == 0);
  FUZZ_CHECK(!info.protocols.empty());
  bool onlyT0 = true;
  for (std::size_t i = 0; i < info.protocols.size(); ++i) {
    FUZZ_CHECK(info.protocols[i] >= 0 && info.protocols[i] <= 15);
    if (info.protocols[i] != 0) onlyT0 = false;
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(info.protocols[i] != info.protocols[j]);
  }
  if (!onlyT0) FUZZ_CHECK(info.hasTck);  // ISO/IEC 7816-3: TCK unless only T=0 is offered
  // Our own ATRs built around these historical bytes parse back to them.
  for (auto p : {epurse::TransportProtocol::kT0, epurse::TransportProtocol::kT1}) {
    const Bytes built = epurse::buildAtr(p, info.historical);
    auto back = epurse::parseAtr(built);
    FUZZ_CHECK(back.isOk());
    FUZZ_CHECK(sameBytes(back->historical, info.historical));
    FUZZ_CHECK(back->protocols == std::vector<int>{static_cast<int>(p)});
    FUZZ_CHECK(back->hasTck == (p == epurse::TransportProtocol::kT1));
  }
}

// ---- hex and status words ------------------------------------------------------------

bool isHexDigit(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isSeparator(std::uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == ':'; }

void checkHex(ByteView in) {
  const std::string text = epurse::toHex(in);
  FUZZ_CHECK(text.size() == 2 * in.size());
  for (char c : text) FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  auto back = epurse::fromHex(text);
  FUZZ_CHECK(back.isOk() && sameBytes(*back, in));

  // The input read as text: accepted iff only hex digits and separators, evenly many digits.
  std::size_t digits = 0;
  bool clean = true;
  for (std::uint8_t c : in) {
    if (isHexDigit(c)) {
      ++digits;
    } else if (!isSeparator(c)) {
      clean = false;
    }
  }
  auto parsed = epurse::fromHex(std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
  FUZZ_CHECK(parsed.isOk() == (clean && digits % 2 == 0));
  if (parsed.isOk()) FUZZ_CHECK(parsed->size() == digits / 2);
  if (!parsed.isOk()) FUZZ_CHECK(parsed.error().code == epurse::ErrorCode::kInvalidArgument);
}

void checkDescribe(ByteView in) {
  if (in.size() < 2) return;
  const auto s = epurse::sw::make(in[0], in[1]);
  const std::string d = epurse::sw::describe(s);
  static const char* const kDigits = "0123456789ABCDEF";
  FUZZ_CHECK(d.size() > 5);
  FUZZ_CHECK(d[0] == kDigits[in[0] >> 4] && d[1] == kDigits[in[0] & 0xF]);
  FUZZ_CHECK(d[2] == kDigits[in[1] >> 4] && d[3] == kDigits[in[1] & 0xF]);
  FUZZ_CHECK(d[4] == ' ');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  checkCommand(in);
  checkCommandBuild(in);
  checkResponse(in);
  checkTlvOne(in);
  checkTlvSequence(in, 0);
  checkAtr(in);
  checkHex(in.first(std::min<std::size_t>(in.size(), 4096)));
  checkDescribe(in);
  return 0;
}
