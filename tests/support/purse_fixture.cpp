#include "tests/support/purse_fixture.h"

#include <stdexcept>

#include "protocol/purse_commands.h"

namespace epurse::testing {
namespace {

template <typename T>
T need(T&& result, const std::string& what) {
  if (!result) throw std::runtime_error(what + ": " + result.error().toString());
  return std::forward<T>(result);
}

issuer::IssuerKey freshIssuerKey() {
  auto key = issuer::IssuerKey::generate();
  if (!key) throw std::runtime_error("issuer key: " + key.error().toString());
  return std::move(*key);
}

}  // namespace

protocol::PurseId testPurseId(std::uint8_t n) { return {1, 2, 3, 4, 5, 6, 7, n}; }

TestPurse::TestPurse(TransportProtocol protocol)
    : card_(Bytes(protocol::kPurseAid.begin(), protocol::kPurseAid.end()),
            [] { return std::make_unique<card::PurseApplet>(); }, protocol,
            card::CardOs::capacityFor(card::PurseApplet().persistentSize())) {
  client_ = std::make_unique<terminal::PurseClient>(card_.channel());
  select();
}

void TestPurse::select() {
  if (auto s = client_->select(); !s) throw std::runtime_error("select: " + s.error().toString());
}

void TestPurse::powerCycle() {
  card_.restart();
  select();
}

protocol::PurseStatus TestPurse::status() {
  auto s = client_->status();
  if (!s) throw std::runtime_error("status: " + s.error().toString());
  return *s;
}

TestIssuer::TestIssuer() : key_(freshIssuerKey()), signer_(key_) {}

protocol::CardCertificate TestIssuer::personalise(terminal::PurseClient& purse, const PurseProfile& profile) {
  (void)need(purse.execute(signer_.putIssuerKey()), "PUT ISSUER KEY");
  auto keyTemplate = need(purse.execute(protocol::apdus::generateKeyPair()), "GENERATE KEY PAIR");
  auto cardKey = protocol::decodePublicKeyTemplate(*keyTemplate);
  if (!cardKey) throw std::runtime_error("GENERATE KEY PAIR answer: " + cardKey.error().toString());
  protocol::Personalisation data;
  data.purseId = profile.id;
  data.currency = profile.currency;
  data.maxBalance = profile.maxBalance;
  data.perTransferMax = profile.perTransferMax;
  data.noPinLimit = profile.noPinLimit;
  data.pin = *need(protocol::makePinBlock(profile.pin), "PIN");
  data.date = profile.date;
  (void)need(purse.execute(*need(signer_.personalise(*cardKey, data), "sign PERSONALISE")), "PERSONALISE");
  auto cert = need(signer_.certify(profile.id, *cardKey, profile.currency, profile.expiry), "certify");
  (void)need(purse.execute(issuer::IssuerSigner::putCertificate(*cert)), "PUT CERTIFICATE");
  return *cert;
}

CommandApdu TestIssuer::loadOrder(terminal::PurseClient& purse, protocol::Amount amount, protocol::Date date) {
  auto status = need(purse.status(), "status");
  protocol::ValueOrder order;
  order.counter = status->loadCounter;
  order.amount = amount;
  order.currency = status->currency;
  order.date = date;
  return *need(signer_.load(status->purseId, order), "sign LOAD");
}

protocol::ValueReceipt TestIssuer::load(terminal::PurseClient& purse, protocol::Amount amount) {
  auto receipt = purse.load(loadOrder(purse, amount));
  if (!receipt) throw std::runtime_error("LOAD: " + receipt.error().toString());
  return receipt->receipt;
}

std::unique_ptr<TestPurse> makePurse(TestIssuer& issuer, std::uint8_t n, protocol::Amount balance,
                                     PurseProfile profile) {
  auto purse = std::make_unique<TestPurse>();
  profile.id = testPurseId(n);
  issuer.personalise(purse->client(), profile);
  if (balance > 0) issuer.load(purse->client(), balance);
  return purse;
}

}  // namespace epurse::testing
