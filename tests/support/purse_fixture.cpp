#include "tests/support/purse_fixture.h"

#include <stdexcept>

#include "issuer/signing/purse_issuance.h"
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
  client_ = std::make_unique<host::PurseClient>(card_.channel());
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

protocol::CardCertificate TestIssuer::personalise(host::PurseClient& purse, const PurseProfile& profile) {
  protocol::Personalisation data;
  data.purseId = profile.id;
  data.currency = profile.currency;
  data.maxBalance = profile.maxBalance;
  data.perTransferMax = profile.perTransferMax;
  data.noPinLimit = profile.noPinLimit;
  data.pin = *need(protocol::makePinBlock(profile.pin), "PIN");
  data.date = profile.date;
  return *need(issuer::personalisePurse(purse, signer_, data, profile.expiry), "personalisation");
}

CommandApdu TestIssuer::loadOrder(host::PurseClient& purse, protocol::Amount amount, protocol::Date date) {
  return *need(issuer::loadOrderFor(purse, signer_, amount, date), "LOAD order");
}

protocol::ValueReceipt TestIssuer::load(host::PurseClient& purse, protocol::Amount amount) {
  return need(issuer::loadPurse(purse, signer_, amount, kToday), "LOAD")->receipt;
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
