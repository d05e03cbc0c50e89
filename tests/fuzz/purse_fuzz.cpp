// Fuzz target for the purse applet: every input becomes one command APDU sent to a
// personalised, loaded purse (raw bytes, a genuine command with bytes flipped, or a purse
// instruction with a random rest). Whatever arrives, the purse must:
//   - never crash or misbehave under the sanitizers;
//   - answer data only with 9000;
//   - change no persistent state when it refuses (the store's commit generation stays put),
//     except that a wrong PIN spends a try by design (VERIFY / CHANGE REFERENCE DATA);
//   - never gain value: no input can carry an issuer's or another purse's signature, so
//     the balance never rises.
// Built with standalone_fuzz_driver.cpp for ctest, like apdu_fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "apdu/response_apdu.h"
#include "protocol/purse_apdus.h"
#include "protocol/transfer_messages.h"
#include "tests/support/purse_fixture.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "purse_fuzz: invariant violated at purse_fuzz.cpp:%d: %s\n", line, what);
  std::abort();
}

#define FUZZ_CHECK(cond)                    \
  do {                                      \
    if (!(cond)) violated(#cond, __LINE__); \
  } while (0)

enum class InputKind : std::uint8_t { kRaw = 0, kFlippedGenuine = 1, kPurseInstruction = 2 };
constexpr std::uint8_t kKinds = 3;

struct Target {
  testing::TestIssuer issuer;
  testing::TestIssuer foreignIssuer;  // signs orders this purse must never obey
  std::unique_ptr<testing::TestPurse> purse = testing::makePurse(issuer, 1, 5000);
  std::unique_ptr<testing::TestPurse> counterparty = testing::makePurse(issuer, 2, 0);
  std::vector<Bytes> genuine;                                   // serialized commands
  std::vector<std::pair<std::uint8_t, std::uint8_t>> commands;  // (CLA, INS) of every purse command

  Target() {
    const Bytes counterpartyCert = counterparty->client().certificate()->encode();
    const auto status = purse->status();
    StartOrder order{counterpartyCert, 100, 1, {}};
    SignedTransferMessage message;
    message.pd.fromId = status.purseId;
    message.pd.toId = testing::testPurseId(2);
    message.pd.value = 100;
    message.pd.currency = testing::kEuro;
    message.signature.assign(kSignatureSize, 0x5A);
    ValueOrder load{status.loadCounter, 1000, testing::kEuro, testing::kToday};
    const auto foreignLoad = foreignIssuer.signer().load(status.purseId, load);
    const Bytes challenge(16, 0xC5);
    for (const CommandApdu& c :
         {apdus::startFrom(order), apdus::startTo(order), apdus::req(message), apdus::val(message),
          apdus::ack(message), *foreignLoad, apdus::verifyPin(*makePinBlock("0000")), apdus::getData(kDataPurseStatus),
          apdus::readRecord(kSfiTransactionLog, 1), apdus::auditRead(kSfiTransactionLog, challenge),
          apdus::abortTransfer(), apdus::putCertificate(counterpartyCert)}) {
      genuine.push_back(c.serialize());
    }
    for (std::uint8_t ins : {kInsVerify, kInsChangeReferenceData, kInsResetRetryCounter, kInsGenerateKeyPair,
                             kInsReadRecord, kInsGetData}) {
      commands.emplace_back(kClaIso, ins);
    }
    for (std::uint8_t ins : {kInsPutIssuerKey, kInsPersonalise, kInsPutCertificate, kInsLoad, kInsUnload,
                             kInsStartFrom, kInsStartTo, kInsReq, kInsVal, kInsAck, kInsAbort, kInsAuditRead,
                             kInsClearExceptionLog, kInsPutRevocationList, kInsSetLifeCycle}) {
      commands.emplace_back(kClaProprietary, ins);
    }
  }
};

Target& target() {
  static Target t;
  return t;
}

Bytes commandFor(const std::uint8_t* data, std::size_t size) {
  Target& t = target();
  const auto kind = static_cast<InputKind>(data[0] % kKinds);
  if (kind == InputKind::kFlippedGenuine && size >= 4) {
    // A genuine command with a few bytes changed: the rest of the input is (position, mask)
    // pairs, so most of the command stays intact and reaches the deep checks.
    Bytes c = t.genuine[data[1] % t.genuine.size()];
    bool changed = false;
    for (std::size_t i = 2; i + 1 < size; i += 2) {
      c[data[i] * 7u % c.size()] ^= data[i + 1];
      changed = changed || data[i + 1] != 0;
    }
    // Unchanged, some genuine commands rightly succeed (a real START FROM).
    if (!changed) return {};
    return c;
  }
  if (kind == InputKind::kPurseInstruction && size >= 4) {
    // A purse instruction with random P1-P2 and data, framed correctly (short Lc, Le 00).
    const auto [cla, ins] = t.commands[data[1] % t.commands.size()];
    const std::size_t length = std::min<std::size_t>(size - 4, 255);
    Bytes body(data + 4, data + 4 + length);
    return CommandApdu(cla, ins, data[2], data[3], std::move(body), 256).serialize();
  }
  return Bytes(data + 1, data + size);
}

bool spendsPinTry(ByteView command, sw::StatusWord status) {
  if (command.size() < 2 || command[0] != kClaIso) return false;
  if (command[1] != kInsVerify && command[1] != kInsChangeReferenceData) return false;
  return (status & 0xFFF0) == sw::kVerifyFailedBase || status == sw::kAuthenticationMethodBlocked;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Target& t = target();
  const Bytes command = commandFor(data, size);
  if (command.empty()) return 0;
  testing::InMemoryCard& card = t.purse->card();
  // Back to a selected, idle purse: an earlier input may have deselected it or started a transfer.
  (void)card.raw(apdus::selectPurse());
  (void)card.raw(apdus::abortTransfer());
  const std::uint64_t generation = card.store().generation();
  const std::uint32_t balance = t.purse->status().balance;

  const Bytes response = card.os().process(command);
  FUZZ_CHECK(response.size() >= 2);
  const auto status = static_cast<sw::StatusWord>(response[response.size() - 2] << 8 | response.back());
  if (response.size() > 2) {
    FUZZ_CHECK(status == sw::kSuccess || (status >> 8) == sw::kSw1BytesAvailable);
  }
  const bool refused = status != sw::kSuccess && (status >> 8) != sw::kSw1BytesAvailable;
  if (refused && !spendsPinTry(command, status)) FUZZ_CHECK(card.store().generation() == generation);
  (void)card.raw(apdus::selectPurse());
  FUZZ_CHECK(t.purse->status().balance <= balance);
  return 0;
}
