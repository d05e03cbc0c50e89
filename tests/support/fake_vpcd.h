// The reader side of a vpcd link, for testing a card process without pcscd: listens on a
// loopback port like vpcd's server mode and sends what vpcd 0.8 sends, the same way (length
// and payload in separate writes, unless told to split differently).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse::testing {

enum class Split { kLikeVpcd, kOneWrite, kByteByByte };

class FakeVpcd {
 public:
  // Listens on 127.0.0.1:port (0: any free port).
  static Result<std::unique_ptr<FakeVpcd>> listen(std::uint16_t port = 0);
  ~FakeVpcd();

  std::uint16_t port() const { return port_; }
  Status accept(std::chrono::milliseconds timeout);
  bool connected() const { return client_ >= 0; }
  void closeClient();
  void closeListener();

  Status send(ByteView payload, Split split = Split::kLikeVpcd);
  Status sendControl(std::uint8_t code) { return send(Bytes{code}); }
  // The next message from the card, or kTimeout.
  Result<Bytes> receive(std::chrono::milliseconds timeout);
  // send + receive.
  Result<Bytes> exchange(ByteView payload, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // true when the card sends nothing within `quiet`.
  bool staysQuiet(std::chrono::milliseconds quiet);

 private:
  FakeVpcd(int listener, std::uint16_t port) : listener_(listener), port_(port) {}
  Status readExactly(std::uint8_t* out, std::size_t n, std::chrono::steady_clock::time_point deadline);
  int listener_;
  std::uint16_t port_;
  int client_ = -1;
};

}  // namespace epurse::testing
