// The mutation the file targets (receipt_fuzz, export_fuzz) apply to a genuine file: the
// input is (position high, position low, mask) triples. A mask with its top bit clear is
// XORed onto the byte; with it set, a digit becomes another digit and an upper-case hex
// letter another hex digit, so that the file still parses and the change reaches the checks
// behind the parser (the signatures, the pd comparisons) instead of stopping at bad hex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace epurse::fuzz {

// Applies every triple in data[0..size) to `text`; false if none changed anything.
inline bool mutateText(std::string& text, const std::uint8_t* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  bool changed = false;
  for (std::size_t i = 0; i + 2 < size; i += 3) {
    const std::size_t at = (std::size_t{data[i]} << 8 | data[i + 1]) % text.size();
    const std::uint8_t mask = data[i + 2];
    const char before = text[at];
    if ((mask & 0x80) == 0) {
      text[at] = static_cast<char>(before ^ mask);
    } else if (before >= '0' && before <= '9') {
      text[at] = static_cast<char>('0' + (mask & 0x7F) % 10);
    } else if (before >= 'A' && before <= 'F') {
      text[at] = kHex[mask & 0x0F];
    }
    changed = changed || text[at] != before;
  }
  return changed;
}

// What a file target reads from one input: data[0]'s top bit set, the genuine file mutated by
// the rest (nullopt when nothing changed); clear, the rest taken as the file itself.
struct FuzzedText {
  std::string text;
  bool mutated = false;
};
inline std::optional<FuzzedText> fuzzedText(const std::string& genuine, const std::uint8_t* data, std::size_t size) {
  if (size == 0) return std::nullopt;
  if ((data[0] & 0x80) == 0) return FuzzedText{std::string(reinterpret_cast<const char*>(data + 1), size - 1), false};
  FuzzedText out{genuine, true};
  if (!mutateText(out.text, data + 1, size - 1)) return std::nullopt;
  return out;
}

}  // namespace epurse::fuzz
