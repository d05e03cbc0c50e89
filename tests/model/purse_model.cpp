#include "tests/model/purse_model.h"

#include <sstream>

#include "tests/model/model_check.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing::model {

void PurseState::abortTransfer() {
  if (state == ProtocolStatus::kEpv || state == ProtocolStatus::kEpa) {
    ExceptionRecord r;
    r.number = ++exceptionsAppended;
    r.abortedIn = state;
    r.pd = pd;
    exceptions.push_back(r);
  }
  state = ProtocolStatus::kIdle;
}

void PurseState::powerUp() {
  abortTransfer();
  pinVerified = false;
}

void PurseState::appendLog(LogType type, const PaymentDetails& details) {
  LogRecord r;
  r.number = logAppended + 1;
  r.type = type;
  r.details = details;
  r.balanceAfter = balance;
  r.chainHash = r.expectedChainHash(headHash);
  headHash = r.chainHash;
  logAppended = r.number;
  log.push_back(LogEntry{r.number, type, details, balance, r.chainHash});
  if (log.size() > kLogCapacity) log.pop_front();
}

std::string difference(const PurseState& m, const Observed& o) {
  std::ostringstream os;
  const auto& s = o.status;
  if (s.balance != m.balance) os << "balance " << s.balance << " (model " << m.balance << ")";
  else if (s.nextSeq != m.nextSeq) os << "nextSeq " << s.nextSeq << " (model " << m.nextSeq << ")";
  else if (s.loadCounter != m.loadCounter) os << "load counter " << s.loadCounter << " (model " << m.loadCounter << ")";
  else if (s.logAppended != m.logAppended) os << "log records " << s.logAppended << " (model " << m.logAppended << ")";
  else if (s.protocol != m.state) os << "protocol " << stateName(s.protocol) << " (model " << stateName(m.state) << ")";
  else if (s.exceptionsHeld != m.exceptions.size()) {
    os << "exception records " << int{s.exceptionsHeld} << " (model " << m.exceptions.size() << ")";
  } else if (s.pinVerified != m.pinVerified)
    os << "PIN verified " << s.pinVerified << " (model " << m.pinVerified << ")";
  else if (s.pinTriesLeft != m.pinTries)
    os << "PIN tries " << int{s.pinTriesLeft} << " (model " << int{m.pinTries} << ")";
  else if (s.lifeCycle != protocol::LifeCycle::kPersonalised)
    os << "life cycle " << protocol::lifeCycleName(s.lifeCycle);
  else if (s.date != kToday) os << "date " << s.date;
  else if (!(o.exceptions == m.exceptions)) {
    os << "exception log differs: card";
    for (const auto& r : o.exceptions)
      os << " [" << r.number << " " << stateName(r.abortedIn) << " " << pdText(r.pd) << "]";
    os << ", model";
    for (const auto& r : m.exceptions)
      os << " [" << r.number << " " << stateName(r.abortedIn) << " " << pdText(r.pd) << "]";
  }
  return os.str();
}

}  // namespace epurse::testing::model
