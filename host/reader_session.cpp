#include "host/reader_session.h"

#include <algorithm>
#include <cctype>

#include "host/purse_names.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"

namespace epurse::host {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool allDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

const char* protocolName(Protocol p) {
  switch (p) {
    case Protocol::kT0: return "T=0";
    case Protocol::kT1: return "T=1";
    case Protocol::kAny: break;
  }
  return "T=0 or T=1";
}

// Reads only: sending one twice changes nothing on the purse, so it may be resent after a
// reset. VERIFY without data is not among them: after a reset its answer means something
// else (the PIN is no longer verified), and the caller must learn that from the reset.
bool onlyReads(const CommandApdu& command) {
  if (command.cla() != protocol::kClaIso) return false;
  return command.ins() == protocol::apdus::selectPurse().ins() || command.ins() == protocol::kInsGetData ||
         command.ins() == protocol::kInsReadRecord;
}

std::string describeReport(const ReaderReport& r) {
  if (!r.cardPresent) return "no card";
  if (r.inUseExclusively) return "card in exclusive use by another program";
  if (r.problem && !r.probed) return "card present, not reachable: " + r.problem->message;
  if (!r.probed) return "card present";
  return r.isPurse ? "purse" : "card present, not a purse";
}

Error withReaders(ErrorCode code, const std::string& message, const std::vector<ReaderReport>& readers) {
  return makeError(code, message + "; readers:\n" + listReaders(readers));
}

std::string listNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += '\n';
    out += "  ";
    out += std::to_string(i);
    out += "  ";
    out += names[i];
  }
  return out;
}

ReaderReport probe(PcscContext& context, std::size_t index, const std::string& name, bool readStatus,
                   ApduObserver* trace) {
  ReaderReport report;
  report.index = index;
  report.name = name;
  auto state = context.reader(name);
  if (!state) {
    report.problem = state.error();
    return report;
  }
  report.cardPresent = state->cardPresent;
  report.inUseExclusively = state->inUseExclusively;
  report.atr = state->atr;
  if (!report.cardPresent || report.inUseExclusively) return report;
  auto channel = PcscChannel::connect(context, name);
  if (!channel) {
    report.problem = channel.error();
    return report;
  }
  (*channel)->setObserver(trace);
  report.probed = true;
  PurseClient purse(**channel);
  auto selected = purse.select();
  if (!selected) {
    if (!selected.refusal()) report.problem = selected.error();
    return report;
  }
  report.isPurse = true;
  if (readStatus) {
    auto status = purse.status();
    if (status) {
      report.status = *status;
    } else {
      report.problem = status.error();
    }
  }
  return report;
}

// What each reader holds, from PC/SC alone.
Result<std::vector<ReaderReport>> presence(PcscContext& context) {
  auto states = context.readers();
  if (!states) return states.error();
  std::vector<ReaderReport> out;
  for (std::size_t i = 0; i < states->size(); ++i) {
    ReaderReport r;
    r.index = i;
    r.name = (*states)[i].name;
    r.cardPresent = (*states)[i].cardPresent;
    r.inUseExclusively = (*states)[i].inUseExclusively;
    r.atr = (*states)[i].atr;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

ReaderSelector ReaderSelector::parse(const std::string& text) {
  if (allDigits(text)) {
    try {
      return byIndex(std::stoul(text));
    } catch (const std::out_of_range&) {
      return byIndex(static_cast<std::size_t>(-1));
    }
  }
  return byName(text);
}

std::string ReaderSelector::describe() const {
  switch (kind) {
    case Kind::kDefault: return "the reader holding the purse";
    case Kind::kIndex: return "reader " + std::to_string(index);
    case Kind::kName: return "reader '" + name + "'";
  }
  return "";
}

std::string listReaders(const std::vector<ReaderReport>& readers) {
  std::string out;
  for (const auto& r : readers) {
    if (!out.empty()) out += "\n";
    out += "  " + std::to_string(r.index) + "  " + r.name + "  " + describeReport(r);
  }
  return out;
}

Result<std::vector<ReaderReport>> surveyReaders(PcscContext& context, bool readStatus, ApduObserver* trace) {
  auto names = context.readerNames();
  if (!names) return names.error();
  std::vector<ReaderReport> out;
  for (std::size_t i = 0; i < names->size(); ++i) out.push_back(probe(context, i, (*names)[i], readStatus, trace));
  return out;
}

// The session's channel: PC/SC underneath, a removed card named as such, and the reset
// recovery described in the header.
class ReaderSession::Channel final : public CardChannel {
 public:
  Channel(std::unique_ptr<PcscChannel> pcsc, bool recoverPurse) : pcsc_(std::move(pcsc)), recoverPurse_(recoverPurse) {}

  PcscChannel& pcsc() { return *pcsc_; }

  Result<Bytes> transmitRaw(ByteView command) override {
    auto r = pcsc_->transmitRaw(command);
    if (!r && (r.error().code == ErrorCode::kNoCard || r.error().code == ErrorCode::kCardRemoved)) {
      return makeError(ErrorCode::kCardRemoved,
                       "the card left reader '" + pcsc_->readerName() + "' during use (" + r.error().message + ")");
    }
    return r;
  }

  Result<ResponseApdu> transmit(const CommandApdu& command) override {
    auto r = CardChannel::transmit(command);
    if (r || r.error().code != ErrorCode::kCardReset || !recoverPurse_) return r;
    const std::string name = purseCommandName(command);
    const std::string where = "the card in '" + pcsc_->readerName() + "' was reset by another program during " + name;
    auto reselected = CardChannel::transmit(protocol::apdus::selectPurse());
    if (!reselected) {
      return makeError(reselected.error().code, where + "; selecting the purse again failed: " + reselected.error().message);
    }
    if (!reselected->isSuccess()) {
      return makeError(ErrorCode::kNoApplication,
                       where + "; the card now refuses the purse's SELECT: " + describePurseSw(reselected->sw()));
    }
    if (onlyReads(command)) return CardChannel::transmit(command);
    return makeError(ErrorCode::kCardReset, where + "; the purse is selected again but " + name +
                                                " was not resent: it may or may not have run (check the purse's status)");
  }

 private:
  std::unique_ptr<PcscChannel> pcsc_;
  bool recoverPurse_;
};

ReaderSession::~ReaderSession() = default;

CardChannel& ReaderSession::channel() { return *channel_; }
Protocol ReaderSession::protocol() const { return channel_->pcsc().activeProtocol(); }
Result<Bytes> ReaderSession::atr() { return channel_->pcsc().atr(); }

Result<std::unique_ptr<ReaderSession>> ReaderSession::open(const ReaderSessionOptions& options) {
  std::shared_ptr<PcscContext> context = options.context;
  if (!context) {
    auto established = PcscContext::establish();
    if (!established) return established.error();
    context = std::move(*established);
  }
  auto names = context->readerNames();
  if (!names) return names.error();
  if (names->empty()) return makeError(ErrorCode::kNoReader, "no smart card readers are available");

  std::size_t index = 0;
  const ReaderSelector& wanted = options.reader;
  switch (wanted.kind) {
    case ReaderSelector::Kind::kIndex:
      if (wanted.index >= names->size()) {
        return makeError(ErrorCode::kNoReader, "no reader number " + std::to_string(wanted.index) + " (there are " +
                                                   std::to_string(names->size()) + "):\n" + listNames(*names));
      }
      index = wanted.index;
      break;
    case ReaderSelector::Kind::kName: {
      const auto exact = std::find(names->begin(), names->end(), wanted.name);
      if (exact != names->end()) {
        index = static_cast<std::size_t>(exact - names->begin());
        break;
      }
      std::vector<std::size_t> matches;
      for (std::size_t i = 0; i < names->size(); ++i) {
        if (lower((*names)[i]).find(lower(wanted.name)) != std::string::npos) matches.push_back(i);
      }
      if (matches.empty()) {
        return makeError(ErrorCode::kNoReader,
                         "no reader named '" + wanted.name + "' or with it in its name; readers:\n" + listNames(*names));
      }
      if (matches.size() > 1) {
        std::vector<std::string> matching;
        for (std::size_t i : matches) matching.push_back((*names)[i]);
        return makeError(ErrorCode::kInvalidArgument,
                         "'" + wanted.name + "' is in the names of several readers; say which:\n" + listNames(matching));
      }
      index = matches.front();
      break;
    }
    case ReaderSelector::Kind::kDefault: {
      // Any card will do without a purse: no probe, so nothing is sent to the cards.
      auto survey = options.requirePurse ? surveyReaders(*context, false, options.trace) : presence(*context);
      if (!survey) return survey.error();
      std::vector<std::size_t> candidates;
      for (const auto& r : *survey) {
        if (options.requirePurse ? r.isPurse : r.cardPresent) candidates.push_back(r.index);
      }
      const char* what = options.requirePurse ? "a purse" : "a card";
      if (candidates.empty()) {
        const bool anyCard = std::any_of(survey->begin(), survey->end(), [](const auto& r) { return r.cardPresent; });
        const ErrorCode code = anyCard ? ErrorCode::kNoApplication : ErrorCode::kNoCard;
        return withReaders(code, std::string("no reader holds ") + what, *survey);
      }
      if (candidates.size() > 1) {
        return withReaders(ErrorCode::kInvalidArgument,
                           std::string("several readers hold ") + what + "; choose one with --reader", *survey);
      }
      index = candidates.front();
      break;
    }
  }
  const std::string& name = (*names)[index];

  // No reader-state query first: SCardConnect says "no card" itself, and the query would cost
  // pcscd four round trips per reader.
  auto pcsc = PcscChannel::connect(*context, name, options.protocol);
  if (!pcsc) {
    if (pcsc.error().code == ErrorCode::kNoCard) return makeError(ErrorCode::kNoCard, "no card in reader '" + name + "'");
    if (pcsc.error().code == ErrorCode::kProtocol && options.protocol != Protocol::kAny) {
      return makeError(ErrorCode::kProtocol, "the card in '" + name + "' does not offer " +
                                                 protocolName(options.protocol) + ": " + pcsc.error().message);
    }
    return pcsc.error();
  }

  std::unique_ptr<ReaderSession> session(new ReaderSession());
  session->context_ = std::move(context);
  session->channel_ = std::make_unique<Channel>(std::move(*pcsc), options.requirePurse);
  session->channel_->setObserver(options.trace);
  session->purse_ = std::make_unique<PurseClient>(*session->channel_);
  session->readerName_ = name;
  session->readerIndex_ = index;
  if (options.requirePurse) {
    auto selected = session->purse_->select();
    if (!selected) {
      if (auto refusal = selected.refusal()) {
        return makeError(ErrorCode::kNoApplication, "the card in '" + name +
                                                        "' is not a purse: it answers the purse's SELECT with " +
                                                        describePurseSw(*refusal));
      }
      return selected.error();
    }
  }
  return session;
}

}  // namespace epurse::host
