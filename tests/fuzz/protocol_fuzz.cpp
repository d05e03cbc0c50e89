// Fuzz target for every decoder in protocol/: the first input byte picks the decoder (low
// bits) and how the rest is used (top bit): as the decoder's input itself, or XORed onto a
// valid encoding of that format, so that the deep checks after the length checks are reached
// by the standalone driver too, not only by libFuzzer.
//
// Every format here is canonical: one value has exactly one encoding (fixed sizes, counts
// that must match, enums that must be known). So for every decode that succeeds, the
// target checks encode(decode(x)) == x byte for byte, and decode(encode(v)) == v; a
// difference is a decoder that accepts something the encoder never writes.
//
// Built with standalone_fuzz_driver.cpp for ctest, and as protocol_fuzz_libfuzzer with clang.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_status.h"
#include "protocol/signed_payloads.h"
#include "protocol/transfer_messages.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;

bool sameBytes(ByteView a, ByteView b) { return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()); }

bool within(ByteView inner, ByteView outer) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// P-256's generator G (the public key of scalar 1): a point the curve check accepts.
Bytes generatorPoint() {
  return *fromHex(
      "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
      "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
}

template <typename T>
void roundTrip(ByteView in) {
  const auto decoded = T::decode(in);
  if (!decoded) return;
  const Bytes again = decoded->encode();
  FUZZ_CHECK(sameBytes(again, in));
  const auto twice = T::decode(again);
  FUZZ_CHECK(twice.isOk());
  FUZZ_CHECK(*twice == *decoded);
}

void publicKeyTemplate(ByteView in) {
  const auto point = decodePublicKeyTemplate(in);
  if (!point) return;
  FUZZ_CHECK(sameBytes(encodePublicKeyTemplate(*point), in));
}

void ecPoint(ByteView in) {
  // The point is the first 65 bytes; the rest is a message and a signature to verify, which
  // must never crash and (without the private key) never pass.
  const std::size_t n = std::min(in.size(), kPublicKeySize);
  const auto key = EcPublicKey::fromUncompressed(in.first(n));
  if (!key) return;
  FUZZ_CHECK(n == kPublicKeySize && in[0] == 0x04);
  FUZZ_CHECK(sameBytes(key->encoded(), in.first(n)));
  const ByteView rest = in.subspan(n);
  const std::size_t sig = std::min(rest.size(), kSignatureSize);
  FUZZ_CHECK(!key->verify(rest.subspan(sig), rest.first(sig)));
}

void certificate(ByteView in) {
  roundTrip<CardCertificate>(in);
  const auto decoded = CardCertificate::decode(in);
  if (!decoded) return;
  FUZZ_CHECK(decoded->encode().size() == CardCertificate::kEncodedSize);
  // Verification of an arbitrary certificate under a fixed key: no crash, no pass.
  static const auto issuerKey = EcPublicKey::fromUncompressed(generatorPoint());
  FUZZ_CHECK(!decoded->verify(*issuerKey));
}

void splitSignedData(ByteView in) {
  if (in.empty()) return;
  const std::size_t fieldsSize = in[0];
  const ByteView data = in.subspan(1);
  const auto split = splitSigned(data, fieldsSize);
  FUZZ_CHECK(split.isOk() == (data.size() == fieldsSize + kSignatureSize));
  if (!split) return;
  FUZZ_CHECK(split->fields.size() == fieldsSize && split->signature.size() == kSignatureSize);
  FUZZ_CHECK(within(split->fields, data) && within(split->signature, data));
  FUZZ_CHECK(split->fields.data() == data.data());
}

void pinBlock(ByteView in) {
  const bool valid = isValidPinBlock(in);
  if (!valid) return;
  FUZZ_CHECK(in.size() == kPinBlockSize);
  std::size_t digits = 0;
  while (digits < in.size() && in[digits] != 0xFF) ++digits;
  const std::string text(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(digits));
  const auto rebuilt = makePinBlock(text);
  FUZZ_CHECK(rebuilt.isOk());
  FUZZ_CHECK(sameBytes(*rebuilt, in));
}

struct Decoder {
  void (*run)(ByteView);
  Bytes (*sample)();
};

PaymentDetails samplePd() {
  PaymentDetails pd;
  pd.fromId = {1, 2, 3, 4, 5, 6, 7, 8};
  pd.fromSeq = 7;
  pd.toId = {8, 7, 6, 5, 4, 3, 2, 1};
  pd.toSeq = 9;
  pd.value = 1234;
  pd.currency = 978;
  pd.reference.fill(0xAB);
  return pd;
}

CardCertificate sampleCertificate() {
  CardCertificate c;
  c.purseId = {1, 2, 3, 4, 5, 6, 7, 8};
  c.publicKey = generatorPoint();
  c.currency = 978;
  c.expiry = 20301231;
  c.issuerKeyId = issuerKeyIdOf(c.publicKey);
  c.signature.assign(kSignatureSize, 0x5A);
  return c;
}

const std::array<Decoder, 18> kDecoders = {{
    {roundTrip<CardCertificate>, [] { return sampleCertificate().encode(); }},
    {certificate, [] { return sampleCertificate().encode(); }},
    {publicKeyTemplate, [] { return encodePublicKeyTemplate(generatorPoint()); }},
    {ecPoint, [] {
       Bytes b = generatorPoint();
       b.resize(b.size() + kSignatureSize + 8, 0x11);
       return b;
     }},
    {roundTrip<PaymentDetails>, [] { return samplePd().encode(); }},
    {roundTrip<LogRecord>, [] {
       LogRecord r{42, LogType::kTransferOut, samplePd(), 500, {}};
       r.chainHash = r.expectedChainHash(Digest{});
       return r.encode();
     }},
    {roundTrip<ExceptionRecord>, [] { return ExceptionRecord{3, ProtocolStatus::kEpa, samplePd()}.encode(); }},
    {roundTrip<PurseStatus>, [] {
       PurseStatus s;
       s.lifeCycle = LifeCycle::kPersonalised;
       s.pinTriesLeft = 3;
       s.purseId = {1, 2, 3, 4, 5, 6, 7, 8};
       s.currency = 978;
       s.balance = 5000;
       s.maxBalance = 100000;
       return s.encode();
     }},
    {roundTrip<SignedTransferMessage>, [] { return SignedTransferMessage{samplePd(), Bytes(kSignatureSize, 0x33)}.encode(); }},
    {roundTrip<StartOrder>, [] { return StartOrder{sampleCertificate().encode(), 100, 5, {}}.encode(); }},
    {roundTrip<Personalisation>, [] {
       return Personalisation{{1, 2, 3, 4, 5, 6, 7, 8}, 978, 100000, 5000, 1000, *makePinBlock("1234"), 20261201}
           .encode();
     }},
    {roundTrip<ValueOrder>, [] { return ValueOrder{1, 1000, 978, 20261201}.encode(); }},
    {roundTrip<ValueReceipt>, [] { return ValueReceipt{{1, 2, 3, 4, 5, 6, 7, 8}, 1, 1000, 978, 6000, 4}.encode(); }},
    {roundTrip<PinUnblockOrder>, [] { return PinUnblockOrder{2, *makePinBlock("123456")}.encode(); }},
    {roundTrip<LifeCycleOrder>, [] { return LifeCycleOrder{2, LifeCycleChange::kTerminate}.encode(); }},
    {roundTrip<ExceptionClearOrder>, [] { return ExceptionClearOrder{{1, 2, 3}, Digest{}}.encode(); }},
    {roundTrip<RevocationList>, [] { return RevocationList{7, {{1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2, 2}}}.encode(); }},
    {roundTrip<AuditHead>, [] { return AuditHead{{1, 2, 3, 4, 5, 6, 7, 8}, 1, 10, {}, 5000, 11, 10}.encode(); }},
}};

// The two decoders that are functions of raw bytes rather than formats with a sample.
constexpr std::size_t kExtraDecoders = 2;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t pick = (data[0] & 0x7F) % (kDecoders.size() + kExtraDecoders);
  const ByteView rest(data + 1, size - 1);
  if (pick == kDecoders.size()) {
    splitSignedData(rest);
    return 0;
  }
  if (pick == kDecoders.size() + 1) {
    pinBlock(rest);
    return 0;
  }
  const Decoder& decoder = kDecoders[pick];
  if ((data[0] & 0x80) == 0) {
    decoder.run(rest);
    return 0;
  }
  // Onto a valid encoding: (position, mask) pairs, and an odd byte left over cuts or extends
  // the sample by up to 127 bytes.
  static std::array<Bytes, kDecoders.size()> samples;
  Bytes& sample = samples[pick];
  if (sample.empty()) sample = decoder.sample();
  Bytes input = sample;
  for (std::size_t i = 0; i + 1 < rest.size(); i += 2) input[rest[i] * 7u % input.size()] ^= rest[i + 1];
  if (rest.size() % 2 == 1) {
    const std::uint8_t last = rest.back();
    if (last & 0x80) {
      input.resize(input.size() - std::min<std::size_t>(input.size(), last & 0x7F));
    } else {
      input.resize(input.size() + last, last);
    }
  }
  decoder.run(input);
  return 0;
}
