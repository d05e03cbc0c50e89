#include "apdu/command_apdu.h"

#include <stdexcept>
#include <string>

#include "base/byte_codec.h"

namespace epurse {
namespace {

constexpr std::size_t kShortLcOffset = 4;
constexpr std::uint8_t kExtendedMarker = 0x00;  // a zero byte where Lc/Le would start

Error malformed(const std::string& why) { return makeError(ErrorCode::kMalformed, "command APDU: " + why); }

}  // namespace

CommandApdu::CommandApdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data,
                         std::optional<std::uint32_t> ne)
    : cla_(cla), ins_(ins), p1_(p1), p2_(p2), data_(std::move(data)), ne_(ne) {
  if (data_.size() > kMaxExtendedNc) throw std::length_error("command data longer than 65535 bytes");
  if (ne_ && (*ne_ == 0 || *ne_ > kMaxExtendedNe)) throw std::length_error("Ne outside 1..65536");
}

Result<CommandApdu> CommandApdu::parse(ByteView raw) {
  if (raw.size() < kHeaderSize) {
    return malformed("shorter than the 4-byte header (" + std::to_string(raw.size()) + " bytes)");
  }
  const std::uint8_t cla = raw[0], ins = raw[1], p1 = raw[2], p2 = raw[3];
  const std::size_t body = raw.size() - kHeaderSize;
  if (body == 0) return CommandApdu(cla, ins, p1, p2);  // case 1

  const std::uint8_t b0 = raw[kShortLcOffset];
  if (body == 1) {  // case 2S
    return CommandApdu(cla, ins, p1, p2, {}, b0 == 0 ? kMaxShortNe : b0);
  }
  if (b0 != kExtendedMarker) {  // case 3S or 4S
    const std::size_t nc = b0;
    const auto first = raw.begin() + kShortLcOffset + 1;
    if (body == 1 + nc) return CommandApdu(cla, ins, p1, p2, Bytes(first, first + nc));
    if (body == 2 + nc) {
      const std::uint8_t le = raw.back();
      return CommandApdu(cla, ins, p1, p2, Bytes(first, first + nc), le == 0 ? kMaxShortNe : le);
    }
    return malformed("Lc says " + std::to_string(nc) + " data bytes but " + std::to_string(body - 1) +
                     " bytes follow it");
  }
  // Extended length: 00 then two length bytes.
  if (body < 3) return malformed("truncated extended length field");
  const std::uint16_t l = ByteReader(raw.subspan(kShortLcOffset + 1, 2)).u16();
  if (body == 3) {  // case 2E
    CommandApdu c(cla, ins, p1, p2, {}, l == 0 ? kMaxExtendedNe : l);
    c.forceExtended_ = true;
    return c;
  }
  if (l == 0) return malformed("extended Lc of zero");
  const std::size_t nc = l;
  const auto first = raw.begin() + kShortLcOffset + 3;
  if (body == 3 + nc) {  // case 3E
    CommandApdu c(cla, ins, p1, p2, Bytes(first, first + nc));
    c.forceExtended_ = true;
    return c;
  }
  if (body == 5 + nc) {  // case 4E
    const std::uint16_t le = ByteReader(raw.last(2)).u16();
    CommandApdu c(cla, ins, p1, p2, Bytes(first, first + nc), le == 0 ? kMaxExtendedNe : le);
    c.forceExtended_ = true;
    return c;
  }
  return malformed("extended Lc says " + std::to_string(nc) + " data bytes but " + std::to_string(body - 3) +
                   " bytes follow it");
}

CommandApdu::Case CommandApdu::isoCase() const {
  if (data_.empty()) return ne_ ? Case::k2 : Case::k1;
  return ne_ ? Case::k4 : Case::k3;
}

bool CommandApdu::isExtended() const {
  return forceExtended_ || data_.size() > kMaxShortNc || (ne_ && *ne_ > kMaxShortNe);
}

CommandApdu CommandApdu::withNe(std::optional<std::uint32_t> ne) const {
  CommandApdu c(cla_, ins_, p1_, p2_, data_, ne);
  c.forceExtended_ = forceExtended_;
  return c;
}

Bytes CommandApdu::serialize() const {
  Bytes out{cla_, ins_, p1_, p2_};
  out.reserve(kHeaderSize + 3 + data_.size() + 2);
  const bool ext = isExtended();
  if (!data_.empty()) {
    if (ext) {
      out.push_back(kExtendedMarker);
      ByteWriter(out).u16(static_cast<std::uint16_t>(data_.size()));
    } else {
      out.push_back(static_cast<std::uint8_t>(data_.size()));
    }
    appendBytes(out, data_);
  }
  if (ne_) {
    if (ext) {
      if (data_.empty()) out.push_back(kExtendedMarker);
      ByteWriter(out).u16(static_cast<std::uint16_t>(*ne_ == kMaxExtendedNe ? 0 : *ne_));
    } else {
      out.push_back(static_cast<std::uint8_t>(*ne_ == kMaxShortNe ? 0 : *ne_));
    }
  }
  return out;
}

bool CommandApdu::operator==(const CommandApdu& o) const {
  return cla_ == o.cla_ && ins_ == o.ins_ && p1_ == o.p1_ && p2_ == o.p2_ && data_ == o.data_ && ne_ == o.ne_;
}

}  // namespace epurse
