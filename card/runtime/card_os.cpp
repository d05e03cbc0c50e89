#include "card/runtime/card_os.h"

#include <algorithm>
#include <cstring>

#include "apdu/ber_tlv.h"
#include "apdu/card_channel.h"
#include "base/byte_codec.h"
#include "base/hex.h"
#include "card/runtime/card_atr.h"
#include "card/runtime/iso_exception.h"

namespace epurse::card {
namespace {

// Card-level directory at the start of persistent memory, so that an image made for one set
// of applets is never read by another:
//   0  8  magic "EPCARDOS"      8  1  directory version      9  1  applet count
//   10 …  per applet 25 bytes: AID length (1), AID zero-padded (16), offset (4), size (4)
constexpr char kDirectoryMagic[8] = {'E', 'P', 'C', 'A', 'R', 'D', 'O', 'S'};
constexpr std::uint8_t kDirectoryVersion = 1;
constexpr std::size_t kDirEntrySize = 1 + kMaxAidLength + 4 + 4;
static_assert(sizeof kDirectoryMagic + 2 + CardOs::kMaxApplets * kDirEntrySize <= CardOs::kDirectorySize,
              "the applet directory fits its header");

// CLA byte structure (ISO 7816-4 clause 5.4.1).
constexpr std::uint8_t kClaInvalid = 0xFF;
constexpr std::uint8_t kClaBasicChannel = 0x00;  // interindustry, no SM, no chaining, channel 0
constexpr std::uint8_t kClaProprietaryBit = 0x80;
constexpr std::uint8_t kClaRfuMask = 0xE0, kClaRfuValue = 0x20;              // 20..3F
constexpr std::uint8_t kClaFurtherMask = 0xC0, kClaFurtherValue = 0x40;      // 40..7F
constexpr std::uint8_t kClaChainingBit = 0x10;
constexpr std::uint8_t kClaSecureMessagingBits = 0x0C;
constexpr std::uint8_t kClaChannelBits = 0x03;
constexpr std::uint8_t kClaProprietaryJcMask = 0xF0, kClaProprietaryJcValue = 0x80;  // 80..8F
// INS 6X and 9X are procedure bytes in T=0 and invalid as instructions (ISO 7816-3).
constexpr std::uint8_t kInsInvalidNibble1 = 0x60, kInsInvalidNibble2 = 0x90;

constexpr std::size_t kShortMaxResponse = 256;

Bytes statusOnly(sw::StatusWord s) { return {sw::sw1(s), sw::sw2(s)}; }

Bytes withStatus(ByteView data, sw::StatusWord s) {
  Bytes out(data.begin(), data.end());
  ByteWriter(out).u16(s);
  return out;
}

std::uint8_t countByte(std::size_t n) { return n >= kShortMaxResponse ? 0 : static_cast<std::uint8_t>(n); }

bool isInterindustry(std::uint8_t cla) { return (cla & kClaProprietaryBit) == 0; }

}  // namespace

struct CardOs::Installed {
  Bytes aid;
  std::unique_ptr<Applet> applet;
  std::size_t offset = 0;
  std::size_t size = 0;
  std::unique_ptr<Context> context;
};

class CardOs::Context final : public CardContext {
 public:
  Context(CardOs& os, Installed& self) : os_(os), self_(self), region_(os.store_, self.offset, self.size) {}

  PersistentRegion& persistent() override { return region_; }
  std::span<std::uint8_t> allocateTransient(std::size_t size, ClearOn when) override {
    return os_.transient_.allocate(size, when, &self_);
  }
  void beginTransaction() override { requireStored(os_.store_.begin()); }
  void commitTransaction() override { requireStored(os_.store_.commit()); }
  void abortTransaction() override { os_.store_.abort(); }
  bool inTransaction() const override { return os_.store_.inTransaction(); }
  TransportProtocol protocol() const override { return os_.config_.protocol; }

 private:
  CardOs& os_;
  Installed& self_;
  PersistentRegion region_;
};

CardOs::CardOs(TransactionStore& store, CardConfig config)
    : store_(store), config_(config), atr_(buildAtr(config.protocol, epurseHistoricalBytes(config.protocol))) {}

CardOs::~CardOs() = default;

Status CardOs::install(Bytes aid, std::unique_ptr<Applet> applet) {
  if (started_) return makeError(ErrorCode::kInvalidArgument, "applets are installed before the card starts");
  if (aid.size() < kMinAidLength || aid.size() > kMaxAidLength) {
    return makeError(ErrorCode::kInvalidArgument, "an AID has 5 to 16 bytes");
  }
  if (applets_.size() == kMaxApplets) return makeError(ErrorCode::kInvalidArgument, "too many applets");
  for (const auto& a : applets_) {
    if (a->aid == aid) return makeError(ErrorCode::kInvalidArgument, "AID " + toHex(aid) + " installed twice");
  }
  auto entry = std::make_unique<Installed>();
  entry->aid = std::move(aid);
  entry->size = applet->persistentSize();
  entry->applet = std::move(applet);
  applets_.push_back(std::move(entry));
  return Status::ok();
}

Status CardOs::start() {
  if (started_) return Status::ok();
  std::size_t offset = kDirectorySize;
  for (auto& a : applets_) {
    a->offset = offset;
    offset += a->size;
  }
  if (offset > store_.capacity()) {
    return makeError(ErrorCode::kInvalidArgument, "the applets need " + std::to_string(offset) +
                                                      " bytes of persistent memory; the card has " +
                                                      std::to_string(store_.capacity()));
  }
  ByteWriter dir;
  dir.bytes(ByteView(reinterpret_cast<const std::uint8_t*>(kDirectoryMagic), sizeof kDirectoryMagic))
      .u8(kDirectoryVersion)
      .u8(static_cast<std::uint8_t>(applets_.size()));
  for (const auto& a : applets_) {
    Bytes padded = a->aid;
    padded.resize(kMaxAidLength, 0);
    dir.u8(static_cast<std::uint8_t>(a->aid.size()))
        .bytes(padded)
        .u32(static_cast<std::uint32_t>(a->offset))
        .u32(static_cast<std::uint32_t>(a->size));
  }
  const Bytes directory = dir.take();

  for (auto& a : applets_) {
    a->context = std::make_unique<Context>(*this, *a);
    try {
      a->applet->attach(*a->context);
    } catch (const std::exception& e) {
      return makeError(ErrorCode::kInternal, "applet " + toHex(a->aid) + " failed to attach: " + e.what());
    }
  }

  const ByteView stored = store_.read(0, directory.size());
  const ByteView storedMagic = store_.read(0, sizeof kDirectoryMagic);
  const bool blank = std::all_of(storedMagic.begin(), storedMagic.end(), [](std::uint8_t b) { return b == 0; });
  if (blank) {
    // First start of this image: directory and every applet's initial state, all or nothing.
    if (Status s = store_.begin(); !s) return s;
    try {
      if (Status s = store_.write(0, directory); !s) {
        store_.abort();
        return s;
      }
      for (auto& a : applets_) a->applet->install(*a->context);
    } catch (const std::exception& e) {
      store_.abort();
      return makeError(ErrorCode::kInternal, std::string("applet installation failed: ") + e.what());
    }
    if (Status s = store_.commit(); !s) return s;
  } else if (!std::equal(stored.begin(), stored.end(), directory.begin(), directory.end())) {
    return makeError(ErrorCode::kCorrupt,
                     "the card image was made for a different set of applets than this card program holds");
  }
  started_ = true;
  return Status::ok();
}

Applet* CardOs::selectedApplet() const { return selected_ ? selected_->applet.get() : nullptr; }

void CardOs::clearVolatileState() {
  if (store_.inTransaction()) store_.abort();
  transient_.clearAll();
  selected_ = nullptr;  // power loss: no deselect() call, as on a real card
  pending_.clear();
  wrongLe_.reset();
}

void CardOs::powerOn() {
  clearVolatileState();
  powered_ = true;
  for (auto& a : applets_) {
    try {
      a->applet->powerUp(*a->context);
    } catch (const std::exception&) {
      // A hook that refuses leaves its applet as it was; the card still comes up.
    }
    if (store_.inTransaction()) store_.abort();
  }
}

void CardOs::powerOff() {
  clearVolatileState();
  powered_ = false;
}

void CardOs::reset() { powerOn(); }

void CardOs::deselectCurrent() {
  if (!selected_) return;
  Installed* old = selected_;
  selected_ = nullptr;
  try {
    old->applet->deselect(*old->context);
  } catch (const std::exception&) {
  }
  if (store_.inTransaction()) store_.abort();
  transient_.clearOnDeselect(old);
}

Bytes CardOs::process(ByteView raw) {
  if (!started_) return statusOnly(sw::kUnknown);
  if (!powered_) powerOn();
  auto parsed = CommandApdu::parse(raw);
  if (!parsed) {
    pending_.clear();
    wrongLe_.reset();
    return statusOnly(sw::kWrongLength);
  }
  const CommandApdu& cmd = *parsed;
  if (config_.protocol == TransportProtocol::kT0 && cmd.isExtended()) {
    pending_.clear();
    wrongLe_.reset();
    return statusOnly(sw::kWrongLength);
  }
  if (cmd.ins() == kInsGetResponse && cmd.cla() == kClaBasicChannel) {
    return serveGetResponse(cmd);
  }
  if (wrongLe_) {
    std::unique_ptr<WrongLeAnswer> answer = std::move(wrongLe_);
    const std::uint8_t header[4] = {cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2()};
    const std::size_t expected = std::min(answer->data.size(), kShortMaxResponse);
    if (std::memcmp(header, answer->header, sizeof header) == 0 && cmd.isoCase() == CommandApdu::Case::k2 &&
        *cmd.ne() == expected) {
      pending_.clear();
      return deliver(cmd, Outcome{std::move(answer->data), sw::kSuccess});
    }
  }
  pending_.clear();
  return deliver(cmd, dispatch(cmd));
}

CardOs::Outcome CardOs::dispatch(const CommandApdu& cmd) {
  const std::uint8_t cla = cmd.cla();
  if (cla == kClaInvalid || (cla & kClaRfuMask) == kClaRfuValue) return {{}, sw::kClaNotSupported};
  if ((cla & kClaFurtherMask) == kClaFurtherValue) return {{}, sw::kLogicalChannelNotSupported};
  if (isInterindustry(cla)) {
    if (cla & kClaChainingBit) return {{}, kSwChainingNotSupported};
    if (cla & kClaSecureMessagingBits) return {{}, sw::kSecureMessagingNotSupported};
  }
  if ((isInterindustry(cla) || (cla & kClaProprietaryJcMask) == kClaProprietaryJcValue) && (cla & kClaChannelBits)) {
    return {{}, sw::kLogicalChannelNotSupported};
  }
  const std::uint8_t insHigh = cmd.ins() & 0xF0;
  if (insHigh == kInsInvalidNibble1 || insHigh == kInsInvalidNibble2) return {{}, sw::kInsNotSupported};

  if (isInterindustry(cla) && cmd.ins() == kInsSelect && cmd.p1() == kSelectByDfName) return select(cmd);
  if (!selected_) return {{}, sw::kInsNotSupported};

  Outcome out{{}, sw::kSuccess};
  try {
    out.data = selected_->applet->process(*selected_->context, cmd);
    if (store_.inTransaction()) {
      // Returning with a transaction open is an applet bug; its writes must not survive.
      store_.abort();
      out = {{}, sw::kUnknown};
    }
  } catch (const IsoException& e) {
    store_.abort();
    out = {{}, e.sw()};
  } catch (const std::exception&) {
    store_.abort();
    out = {{}, sw::kUnknown};
  }
  return out;
}

CardOs::Outcome CardOs::select(const CommandApdu& cmd) {
  if (cmd.p2() != kSelectReturnFci && cmd.p2() != kSelectNoResponseData) return {{}, sw::kIncorrectP1P2};
  const Bytes& want = cmd.data();
  if (want.size() < kMinAidLength || want.size() > kMaxAidLength) return {{}, sw::kWrongLength};
  Installed* found = nullptr;
  for (auto& a : applets_) {
    if (a->aid == want) found = a.get();
  }
  if (!found) {  // partial AID: the first applet whose AID starts with the given bytes
    for (auto& a : applets_) {
      if (!found && a->aid.size() > want.size() && std::equal(want.begin(), want.end(), a->aid.begin())) {
        found = a.get();
      }
    }
  }
  if (!found) return {{}, sw::kFileNotFound};

  deselectCurrent();
  try {
    const bool accepted = found->applet->select(*found->context);
    if (!accepted || store_.inTransaction()) {  // a select hook may not leave changes pending
      store_.abort();
      return {{}, sw::kAppletSelectFailed};
    }
    selected_ = found;
    if (cmd.p2() == kSelectNoResponseData) return {{}, sw::kSuccess};
    Bytes inner = encodeTlv(kTagDfName, found->aid);
    const Bytes proprietary = found->applet->selectionData(*found->context);
    if (!proprietary.empty()) appendTlv(inner, kTagFciProprietary, proprietary);
    return {encodeTlv(kTagFci, inner), sw::kSuccess};
  } catch (const IsoException& e) {
    store_.abort();
    selected_ = nullptr;
    return {{}, e.sw()};
  } catch (const std::exception&) {
    store_.abort();
    selected_ = nullptr;
    return {{}, sw::kAppletSelectFailed};
  }
}

Bytes CardOs::deliver(const CommandApdu& cmd, Outcome outcome) {
  Bytes& data = outcome.data;
  const sw::StatusWord status = outcome.status;
  const auto ne = cmd.ne();
  // Applets return data only with 9000 (a refusal is an exception and carries none).
  if (data.empty() || status != sw::kSuccess) return statusOnly(status);
  auto chain = [&](std::size_t give) {
    Bytes out(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(give));
    pending_.assign(data.begin() + static_cast<std::ptrdiff_t>(give), data.end());
    ByteWriter(out).u16(sw::bytesAvailable(countByte(pending_.size())));
    return out;
  };
  if (config_.protocol == TransportProtocol::kT1) {
    if (!ne) return chain(0);
    if (*ne >= data.size()) return withStatus(data, status);
    return chain(*ne);
  }
  // T=0: a command that carried data (or expected none) gets 61xx and the data on request.
  if (!ne || !cmd.data().empty()) return chain(0);
  if (*ne == data.size()) return withStatus(data, status);
  if (*ne == kShortMaxResponse && data.size() > kShortMaxResponse) return chain(kShortMaxResponse);
  wrongLe_ = std::make_unique<WrongLeAnswer>();
  wrongLe_->header[0] = cmd.cla();
  wrongLe_->header[1] = cmd.ins();
  wrongLe_->header[2] = cmd.p1();
  wrongLe_->header[3] = cmd.p2();
  const std::uint8_t exact = countByte(data.size());
  wrongLe_->data = std::move(data);
  return statusOnly(sw::wrongLe(exact));
}

Bytes CardOs::serveGetResponse(const CommandApdu& cmd) {
  wrongLe_.reset();
  if (cmd.p1() != 0 || cmd.p2() != 0) return statusOnly(sw::kIncorrectP1P2);
  if (pending_.empty()) return statusOnly(sw::kConditionsNotSatisfied);
  if (!cmd.ne() || !cmd.data().empty()) return statusOnly(sw::kWrongLength);
  const std::size_t want = *cmd.ne();
  if (config_.protocol == TransportProtocol::kT0 && want > pending_.size()) {
    return statusOnly(sw::wrongLe(countByte(pending_.size())));
  }
  const std::size_t give = std::min(want, pending_.size());
  Bytes out(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(give));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(give));
  ByteWriter(out).u16(pending_.empty() ? sw::kSuccess : sw::bytesAvailable(countByte(pending_.size())));
  return out;
}

}  // namespace epurse::card
