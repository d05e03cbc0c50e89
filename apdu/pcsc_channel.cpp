#include "apdu/pcsc_channel.h"

#include <reader.h>

#include <chrono>
#include <cstring>

namespace epurse {
namespace {

ErrorCode codeFor(LONG rv) {
  switch (rv) {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED: return ErrorCode::kNoService;
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE: return ErrorCode::kNoReader;
    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNPOWERED_CARD: return ErrorCode::kNoCard;
    case SCARD_W_REMOVED_CARD: return ErrorCode::kCardRemoved;
    case SCARD_W_RESET_CARD: return ErrorCode::kCardReset;
    case SCARD_E_TIMEOUT: return ErrorCode::kTimeout;
    case SCARD_E_SHARING_VIOLATION: return ErrorCode::kBusy;
    case SCARD_E_PROTO_MISMATCH:
    case SCARD_E_NOT_TRANSACTED: return ErrorCode::kProtocol;
    default: return ErrorCode::kIo;
  }
}

const char* hintFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNoService: return " (is pcscd running?)";
    case ErrorCode::kNoReader: return " (is the reader connected?)";
    case ErrorCode::kNoCard: return " (is a card in the reader?)";
    case ErrorCode::kCardRemoved: return " (the card was taken out)";
    default: return "";
  }
}

Protocol protocolFrom(DWORD active) { return active == SCARD_PROTOCOL_T0 ? Protocol::kT0 : Protocol::kT1; }

DWORD preferredMask(Protocol p) {
  switch (p) {
    case Protocol::kT0: return SCARD_PROTOCOL_T0;
    case Protocol::kT1: return SCARD_PROTOCOL_T1;
    case Protocol::kAny: break;
  }
  return SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
}

}  // namespace

Error pcscError(LONG rv, const std::string& what) {
  const ErrorCode code = codeFor(rv);
  return makeError(code, what + ": " + pcsc_stringify_error(rv) + hintFor(code));
}

Result<std::unique_ptr<PcscContext>> PcscContext::establish() {
  SCARDCONTEXT ctx = 0;
  const LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot reach the PC/SC service");
  return std::unique_ptr<PcscContext>(new PcscContext(ctx));
}

PcscContext::~PcscContext() { SCardReleaseContext(ctx_); }

Result<std::vector<std::string>> PcscContext::readerNames() {
  DWORD len = 0;
  LONG rv = SCardListReaders(ctx_, nullptr, nullptr, &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot list readers");
  std::string buf(len, '\0');
  rv = SCardListReaders(ctx_, nullptr, buf.data(), &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot list readers");
  std::vector<std::string> names;
  // A multi-string: names separated by NUL, ended by an empty name.
  for (const char* p = buf.c_str(); p < buf.data() + len && *p != '\0'; p += std::strlen(p) + 1) {
    names.emplace_back(p);
  }
  return names;
}

Result<ReaderState> PcscContext::reader(const std::string& name) {
  SCARD_READERSTATE state{};
  state.szReader = name.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;
  const LONG rv = SCardGetStatusChange(ctx_, 0, &state, 1);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot read the state of reader '" + name + "'");
  if (state.dwEventState & SCARD_STATE_UNKNOWN) {
    return makeError(ErrorCode::kNoReader, "no reader named '" + name + "'");
  }
  ReaderState out;
  out.name = name;
  out.cardPresent = (state.dwEventState & SCARD_STATE_PRESENT) != 0;
  out.inUseExclusively = (state.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
  if (out.cardPresent) out.atr.assign(state.rgbAtr, state.rgbAtr + state.cbAtr);
  return out;
}

Result<std::vector<ReaderState>> PcscContext::readers() {
  auto names = readerNames();
  if (!names) return names.error();
  std::vector<ReaderState> out;
  for (const auto& n : *names) {
    auto r = reader(n);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::string> PcscContext::resolveReader(const std::string& indexOrName) {
  auto names = readerNames();
  if (!names) return names.error();
  if (names->empty()) return makeError(ErrorCode::kNoReader, "no smart card readers are available");
  for (const auto& n : *names) {
    if (n == indexOrName) return n;
  }
  std::size_t pos = 0;
  unsigned long index = 0;
  try {
    index = std::stoul(indexOrName, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != indexOrName.size()) {
    return makeError(ErrorCode::kNoReader, "no reader named '" + indexOrName + "'");
  }
  if (index >= names->size()) {
    return makeError(ErrorCode::kNoReader, "no reader number " + indexOrName + " (there are " +
                                               std::to_string(names->size()) + ")");
  }
  return (*names)[index];
}

Status PcscContext::waitForCard(const std::string& name, bool present, unsigned timeoutMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  SCARD_READERSTATE state{};
  state.szReader = name.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;
  const Error timedOut = makeError(ErrorCode::kTimeout, "reader '" + name + "' did not see the card " +
                                                            (present ? "arrive" : "leave") + " in time");
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto left = now >= deadline ? 0 : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const LONG rv = SCardGetStatusChange(ctx_, static_cast<DWORD>(left), &state, 1);
    if (rv == SCARD_E_TIMEOUT) {
      return timedOut;
    }
    if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot watch reader '" + name + "'");
    if (state.dwEventState & SCARD_STATE_UNKNOWN) {
      return makeError(ErrorCode::kNoReader, "no reader named '" + name + "'");
    }
    const bool isPresent = (state.dwEventState & SCARD_STATE_PRESENT) != 0;
    if (isPresent == present) return Status::ok();
    state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
    if (left == 0) {
      return timedOut;
    }
  }
}

Result<std::optional<std::string>> PcscContext::waitForCardInAnyReaderExcept(const std::string& except,
                                                                               unsigned timeoutMs) {
  auto names = readerNames();
  if (!names) return names.error();
  std::vector<std::string> watched;
  for (auto& name : *names) {
    if (name != except) watched.push_back(std::move(name));
  }
  if (watched.empty()) return makeError(ErrorCode::kNoReader, "no reader other than '" + except + "'");
  std::vector<SCARD_READERSTATE> states(watched.size());
  for (std::size_t i = 0; i < watched.size(); ++i) {
    states[i].szReader = watched[i].c_str();
    states[i].dwCurrentState = SCARD_STATE_UNAWARE;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto left = now >= deadline ? 0 : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const LONG rv = SCardGetStatusChange(ctx_, static_cast<DWORD>(left), states.data(), static_cast<DWORD>(states.size()));
    if (rv == SCARD_E_TIMEOUT) return std::optional<std::string>();
    if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot watch the readers");
    for (std::size_t i = 0; i < states.size(); ++i) {
      const DWORD event = states[i].dwEventState;
      if ((event & SCARD_STATE_PRESENT) != 0 && (event & SCARD_STATE_UNKNOWN) == 0) {
        return std::optional<std::string>(watched[i]);
      }
      states[i].dwCurrentState = event & ~SCARD_STATE_CHANGED;
    }
    if (left == 0) return std::optional<std::string>();
  }
}

namespace {

// PC/SC's pseudo-reader whose state changes when a reader is plugged in or unplugged.
constexpr const char* kReaderListNotification = "\\\\?PnP?\\Notification";

}  // namespace

Result<bool> PcscContext::waitForReaderChange(ReaderWatchState& seen, unsigned timeoutMs) {
  auto names = readerNames();
  if (!names) return names.error();
  std::vector<std::string> seenNames;
  for (const auto& r : seen.readers_) seenNames.push_back(r.name);
  // A new reader list is a change in itself: read every reader's state at once, UNAWARE.
  const bool sameList = seen.started_ && *names == seenNames;
  std::vector<SCARD_READERSTATE> states(names->size() + 1);
  for (std::size_t i = 0; i < names->size(); ++i) {
    states[i].szReader = (*names)[i].c_str();
    states[i].dwCurrentState = sameList ? seen.pcscStates_[i] : SCARD_STATE_UNAWARE;
  }
  SCARD_READERSTATE& list = states.back();
  list.szReader = kReaderListNotification;
  list.dwCurrentState = seen.readerListState_;
  const LONG rv = SCardGetStatusChange(ctx_, sameList ? timeoutMs : 0, states.data(),
                                       static_cast<DWORD>(states.size()));
  if (rv == SCARD_E_CANCELLED) return false;
  if (rv == SCARD_E_TIMEOUT && sameList) return false;
  // A reader that went away between the list and the wait: the next wait sees the new list.
  if (rv == SCARD_E_UNKNOWN_READER || rv == SCARD_E_READER_UNAVAILABLE) {
    seen.started_ = false;
    return true;
  }
  if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) return pcscError(rv, "cannot watch the readers");
  std::vector<ReaderState> now;
  std::vector<DWORD> pcscStates;
  for (std::size_t i = 0; i < names->size(); ++i) {
    const DWORD event = states[i].dwEventState;
    if (event & SCARD_STATE_UNKNOWN) continue;  // unplugged while we waited
    ReaderState r;
    r.name = (*names)[i];
    r.cardPresent = (event & SCARD_STATE_PRESENT) != 0;
    r.inUseExclusively = (event & SCARD_STATE_EXCLUSIVE) != 0;
    if (r.cardPresent) r.atr.assign(states[i].rgbAtr, states[i].rgbAtr + states[i].cbAtr);
    now.push_back(std::move(r));
    pcscStates.push_back(event & ~static_cast<DWORD>(SCARD_STATE_CHANGED));
  }
  seen.readers_ = std::move(now);
  seen.pcscStates_ = std::move(pcscStates);
  seen.readerListState_ = list.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  seen.started_ = true;
  return true;
}

Status PcscContext::cancelWait() {
  const LONG rv = SCardCancel(ctx_);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot cancel the wait for readers");
  return Status::ok();
}

PcscChannel::PcscChannel(PcscContext& context, SCARDHANDLE card, DWORD protocol, std::string reader)
    : context_(&context), card_(card), activeProtocol_(protocol), protocol_(protocolFrom(protocol)), reader_(std::move(reader)) {}

Result<std::unique_ptr<PcscChannel>> PcscChannel::connect(PcscContext& context, const std::string& reader,
                                                          Protocol preferred) {
  SCARDHANDLE card = 0;
  DWORD active = 0;
  const LONG rv =
      SCardConnect(context.handle(), reader.c_str(), SCARD_SHARE_SHARED, preferredMask(preferred), &card, &active);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot connect to the card in '" + reader + "'");
  return std::unique_ptr<PcscChannel>(new PcscChannel(context, card, active, reader));
}

PcscChannel::~PcscChannel() {
  if (connected_) SCardDisconnect(card_, SCARD_LEAVE_CARD);
}

Status PcscChannel::disconnect(bool resetCard) { return disconnectWith(resetCard ? SCARD_RESET_CARD : SCARD_LEAVE_CARD); }

Status PcscChannel::disconnectWith(DWORD disposition) {
  if (!connected_) return Status::ok();
  connected_ = false;
  const LONG rv = SCardDisconnect(card_, disposition);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot disconnect from '" + reader_ + "'");
  return Status::ok();
}

Status PcscChannel::reconnect() {
  DWORD active = 0;
  const LONG rv = SCardReconnect(card_, SCARD_SHARE_SHARED, preferredMask(protocol_), SCARD_LEAVE_CARD, &active);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot reconnect to the card in '" + reader_ + "'");
  activeProtocol_ = active;
  protocol_ = protocolFrom(active);
  return Status::ok();
}

Result<Bytes> PcscChannel::transmitRaw(ByteView command) {
  if (!connected_) return makeError(ErrorCode::kNoCard, "channel to '" + reader_ + "' is closed");
  const SCARD_IO_REQUEST* pci = activeProtocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  Bytes response(MAX_BUFFER_SIZE_EXTENDED);
  DWORD len = static_cast<DWORD>(response.size());
  const LONG rv = SCardTransmit(card_, pci, command.data(), static_cast<DWORD>(command.size()), nullptr,
                                response.data(), &len);
  if (rv == SCARD_W_RESET_CARD) {
    Status again = reconnect();
    if (!again) return again.error();
    return makeError(ErrorCode::kCardReset, "the card in '" + reader_ +
                                                "' was reset by another program; reconnected, resend from SELECT");
  }
  if (rv == SCARD_E_NOT_TRANSACTED) {
    return removedOr(pcscError(rv, "cannot exchange an APDU with '" + reader_ + "'"),
                     "the exchange failed (SCARD_E_NOT_TRANSACTED)");
  }
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot exchange an APDU with '" + reader_ + "'");
  response.resize(len);
  if (len < 2) {  // every card answers at least SW1 SW2 (ISO 7816-4)
    return removedOr(makeError(ErrorCode::kMalformed, "the card in '" + reader_ + "' answered " +
                                                          std::to_string(len) + " bytes, without SW1 SW2"),
                     "it answered " + std::to_string(len) + " bytes");
  }
  return response;
}

Error PcscChannel::removedOr(Error otherwise, const std::string& how) {
  const Status gone = context_->waitForCard(reader_, false, kRemovalConfirmMs);
  if (!gone) return otherwise;
  return makeError(ErrorCode::kCardRemoved, "the card left '" + reader_ + "' in the middle of an APDU: " + how +
                                                ", then the reader showed no card" + hintFor(ErrorCode::kCardRemoved));
}

Result<Bytes> PcscChannel::atr() {
  BYTE atr[MAX_ATR_SIZE];
  DWORD atrLen = sizeof atr;
  DWORD state = 0, proto = 0, nameLen = 0;
  const LONG rv = SCardStatus(card_, nullptr, &nameLen, &state, &proto, atr, &atrLen);
  if (rv != SCARD_S_SUCCESS) return pcscError(rv, "cannot read the ATR in '" + reader_ + "'");
  return Bytes(atr, atr + atrLen);
}

}  // namespace epurse
