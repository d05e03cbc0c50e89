// Fuzz target for the audit export file `epurse-issuer import` reads (cli/audit_export.h:
// decodeAuditBatch, then host::verifyEvidence on each reading under the issuer's key, the
// one this process's issuer generated at start-up).
//
// Byte 0, top bit clear: the rest is the file's text. Decoding must not crash; what decodes
// must encode to text that decodes to the same entries; verifying must not crash.
// Top bit set: the rest mutates (text_mutation.h) a genuine batch (two purses' readings
// after a transfer between them). A mutated file must be refused
// cleanly (a decode error, or a reading that does not verify), or every reading in it must
// be exactly a genuine one: only the metadata (exported at, terminal) is unsigned.
// Built with standalone_fuzz_driver.cpp for ctest, and as export_libfuzzer with clang.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/audit_export.h"
#include "host/evidence_reader.h"
#include "host/evidence_verifier.h"
#include "terminal/receipt/receipt_file.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/text_mutation.h"
#include "tests/support/purse_fixture.h"

namespace {

using namespace epurse;

struct Genuine {
  testing::TestIssuer issuer;
  std::unique_ptr<testing::TestPurse> payer = testing::makePurse(issuer, 1, 5000);
  std::unique_ptr<testing::TestPurse> payee = testing::makePurse(issuer, 2, 100);
  std::vector<host::CollectedEvidence> readings;
  std::string text;

  Genuine() {
    const Bytes order{'o', 'r', 'd', 'e', 'r'};
    FUZZ_CHECK(terminal::runTransfer(payer->client(), payee->client(), 300, terminal::purchaseReferenceFor(order))
                   .isOk());
    const Bytes challenge(16, 0x3C);
    std::vector<cli::AuditExport> entries;
    for (testing::TestPurse* purse : {payer.get(), payee.get()}) {
      auto evidence = host::readEvidence(purse->client(), challenge);
      FUZZ_CHECK(evidence.isOk());
      // The starting point must itself verify, or the mutations below prove nothing.
      FUZZ_CHECK(host::verifyEvidence(*evidence, issuer.key().verificationKey()).isOk());
      readings.push_back(*evidence);
      entries.push_back({*evidence, {"2026-12-01T11:42:06Z", "fuzz till 1"}});
    }
    text = cli::encodeAuditBatch(entries);
    // make-corpus.sh asks for the genuine file as a raw-text seed (keys differ per process, so
    // it parses but does not verify in another run; the mutated seeds start from it anyway).
    if (const char* seed = std::getenv("EPURSE_FUZZ_WRITE_SEED")) std::ofstream(seed, std::ios::binary) << '\0' << text;
  }
};

Genuine& genuine() {
  static Genuine g;
  return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Genuine& g = genuine();
  const auto input = fuzz::fuzzedText(g.text, data, size);
  if (!input) return 0;
  const std::string& text = input->text;
  const bool mutated = input->mutated;

  const auto decoded = cli::decodeAuditBatch(text);
  if (!decoded) return 0;
  const auto again = cli::decodeAuditBatch(cli::encodeAuditBatch(*decoded));
  FUZZ_CHECK(again.isOk());
  FUZZ_CHECK(*again == *decoded);
  bool allVerify = true;
  for (const cli::AuditExport& entry : *decoded) {
    allVerify = host::verifyEvidence(entry.evidence, g.issuer.key().verificationKey()).isOk() && allVerify;
  }
  if (mutated && allVerify) {
    for (const cli::AuditExport& entry : *decoded) {
      FUZZ_CHECK(std::find(g.readings.begin(), g.readings.end(), entry.evidence) != g.readings.end());
    }
  }
  return 0;
}
