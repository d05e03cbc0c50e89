// `personalize`: a blank card becomes a purse of this issuer. Each step is skipped when the
// card shows it done, so a run stopped part-way (card pulled, program killed) is resumed by
// running it again on the same card. The purse is registered in the ledger, with its
// certificate, before PUT CERTIFICATE is sent: a card that holds a certificate is always
// registered.
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "host/money.h"
#include "issuer/cli/card_session.h"
#include "issuer/cli/command.h"
#include "issuer/cli/findings_text.h"
#include "cli/secret_input.h"
#include "protocol/card_certificate.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"

namespace epurse::issuer::cli {
using epurse::cli::Secret;
using epurse::cli::readNewSecret;
namespace {

constexpr unsigned kDefaultValidityYears = 4;

struct Limits {
  protocol::Currency currency = 0;
  protocol::Amount maxBalance = 0, transferLimit = 0, noPinLimit = 0;
  protocol::Date expiry = 0;
};

class PersonalizeCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("personalize", "Personalise a blank card as a purse of this issuer and register it");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    reader_.addTo(*c);
    c->add_option("--purse-id", purseId_, "The purse ID, 16 hex digits (default: allocated by the issuer)");
    c->add_option("--currency", currency_, "ISO 4217 currency, e.g. EUR")->required();
    c->add_option("--max-balance", maxBalance_, "Most the purse may hold, e.g. 500.00")->required();
    c->add_option("--transfer-limit", transferLimit_, "Most one transfer may move")->required();
    c->add_option("--no-pin-limit", noPinLimit_, "Most a payment may move without the PIN")->required();
    c->add_option("--expiry", expiry_, "Certificate expiry, YYYY-MM-DD (default: four years from today)");
    c->add_option("--pin-file", pinFile_, "Read the initial PIN from this file (default: asked twice without echo)");
    return c;
  }

  int run() override;

 private:
  Result<Limits> parseLimits() const;

  CommonOptions options_;
  epurse::cli::ReaderOptions reader_;
  std::optional<std::string> purseId_, expiry_, pinFile_;
  std::string currency_, maxBalance_, transferLimit_, noPinLimit_;
};

Result<Limits> PersonalizeCommand::parseLimits() const {
  Limits l;
  auto currency = host::currencyByCode(currency_);
  if (!currency) currency = host::parseCurrency(currency_);
  if (!currency) return currency.error();
  l.currency = currency->numeric;
  struct Field {
    const char* option;
    const std::string* text;
    protocol::Amount* out;
  };
  for (const Field& f : {Field{"--max-balance", &maxBalance_, &l.maxBalance},
                         Field{"--transfer-limit", &transferLimit_, &l.transferLimit},
                         Field{"--no-pin-limit", &noPinLimit_, &l.noPinLimit}}) {
    auto amount = host::parseAmount(*f.text, l.currency);
    if (!amount) return makeError(ErrorCode::kInvalidArgument, std::string(f.option) + ": " + amount.error().message);
    *f.out = *amount;
  }
  if (l.maxBalance == 0) return makeError(ErrorCode::kInvalidArgument, "--max-balance must be above zero");
  if (l.transferLimit > l.maxBalance) {
    return makeError(ErrorCode::kInvalidArgument, "--transfer-limit must not exceed --max-balance");
  }
  if (l.noPinLimit > l.transferLimit) {
    return makeError(ErrorCode::kInvalidArgument, "--no-pin-limit must not exceed --transfer-limit");
  }
  const protocol::Date now = today();
  if (expiry_) {
    auto date = parseDate(*expiry_);
    if (!date) return makeError(ErrorCode::kInvalidArgument, "--expiry: " + date.error().message);
    if (*date <= now) return makeError(ErrorCode::kInvalidArgument, "--expiry must be after today");
    l.expiry = *date;
  } else {
    l.expiry = now + kDefaultValidityYears * 10000;
    if (l.expiry % 10000 == 229) l.expiry -= 1;  // 29 February four years on may not exist: the 28th
  }
  return l;
}

int PersonalizeCommand::run() {
  epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
  auto limits = parseLimits();
  if (!limits) return output.usage(limits.error().message);
  std::optional<protocol::PurseId> wantedId;
  if (purseId_) {
    auto id = parsePurseId(*purseId_);
    if (!id) return output.usage("--purse-id: " + id.error().message);
    wantedId = *id;
  }

  Failure failure = Failure::unset();
  auto context = IssuerContext::open(options_, failure);
  if (!context) return fail(output, failure);
  auto card = openCard(reader_, failure);
  if (!card) return fail(output, failure);
  auto& purse = (*card)->purse();
  auto& s = (*card)->status;
  const auto& ours = (*context)->config().keyId;
  auto refuse = [&](const std::string& key, const std::string& message) {
    return output.failWith(key, message, epurse::cli::kExitFailed);
  };

  using namespace protocol;
  if (s.lifeCycle != LifeCycle::kBlank) {
    if (s.issuerKeyId == ours) {
      return refuse("personalised", "the card is purse " + purseIdHex(s.purseId) +
                                        ", personalised by this issuer already; nothing was sent");
    }
    return refuse("other_issuer", "the card is purse " + purseIdHex(s.purseId) + " of another issuer (key ID " +
                                      toHex(s.issuerKeyId) + "); nothing was sent");
  }
  if ((s.personalisation & kPersoIssuerKey) && s.issuerKeyId != ours) {
    return refuse("other_issuer",
                  "the card was started by another issuer (key ID " + toHex(s.issuerKeyId) + "); nothing was sent");
  }
  if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);
  const IssuerSigner& signer = *(*context)->signer();
  auto& books = (*context)->books();
  const bool resumed = s.personalisation != 0;

  // Before anything is sent: the PIN (asked twice) and the purse ID, unless the card has them.
  const bool needData = !(s.personalisation & kPersoData);
  std::optional<Secret> pin;
  PurseId id = s.purseId;
  if (needData) {
    auto read = readNewSecret({"PIN", "--pin-file", pinFile_, false});
    if (!read) return output.fail(read.error());
    pin = std::move(*read);
    if (auto block = makePinBlock(pin->text()); !block) return output.usage("the PIN: " + block.error().message);
    if (wantedId) {
      id = *wantedId;
    } else {
      auto allocated = books.allocatePurseId();
      if (!allocated) return fail(output, Failure::ledgerProblem(allocated.error()));
      id = *allocated;
    }
  }

  if (!(s.personalisation & kPersoIssuerKey)) {
    if (auto r = purse.execute(signer.putIssuerKey()); !r) return output.fail(r.failure());
  }
  Bytes cardKey;
  if (!(s.personalisation & kPersoKeyPair)) {
    auto generated = purse.execute(apdus::generateKeyPair());
    if (!generated) return output.fail(generated.failure());
    auto decoded = decodePublicKeyTemplate(*generated);
    if (!decoded) return output.fail(decoded.error());
    cardKey = *decoded;
  } else {
    auto known = purse.publicKey();
    if (!known) return output.fail(known.failure());
    cardKey = *known;
  }
  Limits onCard = *limits;
  if (needData) {
    Personalisation data;
    data.purseId = id;
    data.currency = limits->currency;
    data.maxBalance = limits->maxBalance;
    data.perTransferMax = limits->transferLimit;
    data.noPinLimit = limits->noPinLimit;
    data.pin = *makePinBlock(pin->text());
    data.date = today();
    auto order = signer.personalise(cardKey, data);
    data.pin.fill(0);
    if (!order) return output.fail(order.error());
    if (auto r = purse.execute(*order); !r) return output.fail(r.failure());
  } else {
    // Resuming: what the card was personalised with stands.
    onCard.currency = s.currency;
    onCard.maxBalance = s.maxBalance;
    onCard.transferLimit = s.perTransferMax;
    onCard.noPinLimit = s.noPinLimit;
  }

  // The registry first, then the certificate on the card.
  auto tx = (*context)->ledger().beginRead();
  if (!tx) return fail(output, Failure::ledgerProblem(tx.error()));
  auto registered = (*tx)->findPurse(id);
  if (!registered) return fail(output, Failure::ledgerProblem(registered.error()));
  (void)(*tx)->commit();
  tx->reset();
  CardCertificate cert;
  if (*registered) {
    if ((*registered)->certificate.publicKey != cardKey) {
      return refuse("registered", "purse ID " + purseIdHex(id) +
                                      " is registered already for another card; nothing more was sent");
    }
    cert = (*registered)->certificate;
  } else {
    auto made = signer.certify(id, cardKey, onCard.currency, onCard.expiry);
    if (!made) return output.fail(made.error());
    cert = *made;
    ledger::PurseRow row;
    row.purseId = id;
    row.certificate = cert;
    row.maxBalance = onCard.maxBalance;
    row.perTransferMax = onCard.transferLimit;
    row.noPinLimit = onCard.noPinLimit;
    row.registeredAt = now();
    if (Status r = books.registerPurse(row); !r) {
      return r.error().code == ErrorCode::kInvalidArgument ? refuse("registered", r.error().message)
                                                            : fail(output, Failure::ledgerProblem(r.error()));
    }
  }
  if (auto r = purse.execute(IssuerSigner::putCertificate(cert)); !r) {
    return output.fail(r.failure().within("PUT CERTIFICATE (purse " + purseIdHex(id) +
                                          " is registered; run personalize again on this card to finish)"));
  }

  if (output.json()) {
    return output.result({{"purseId", purseIdHex(id)},
                          {"reader", (*card)->session->readerName()},
                          {"resumed", resumed},
                          {"currency", currencyText(onCard.currency)},
                          {"maxBalance", epurse::cli::moneyJson(onCard.maxBalance, onCard.currency)},
                          {"transferLimit", epurse::cli::moneyJson(onCard.transferLimit, onCard.currency)},
                          {"noPinLimit", epurse::cli::moneyJson(onCard.noPinLimit, onCard.currency)},
                          {"expiry", formatDate(cert.expiry)},
                          {"issuerKeyId", toHex(cert.issuerKeyId)}});
  }
  auto& out = output.text();
  out << "personalised purse " << purseIdHex(id) << " in " << (*card)->session->readerName()
      << (resumed ? " (resumed)" : "") << "\n"
      << "  max balance     " << host::formatMoney(onCard.maxBalance, onCard.currency) << "\n"
      << "  transfer limit  " << host::formatMoney(onCard.transferLimit, onCard.currency) << "\n"
      << "  no-PIN limit    " << host::formatMoney(onCard.noPinLimit, onCard.currency) << "\n"
      << "  expires         " << formatDate(cert.expiry) << "\n";
  return epurse::cli::kExitOk;
}

}  // namespace

void addPersonalizeCommand(Commands& commands) { commands.push_back(std::make_unique<PersonalizeCommand>()); }

}  // namespace epurse::issuer::cli
