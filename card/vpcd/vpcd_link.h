// One TCP connection to vpcd, carrying length-prefixed messages (vpcd_protocol.h).
//
// Latency matters here: vpcd writes small segments, and with Linux's delayed ACK each APDU
// round trip would cost 40 to 50 ms (the delayed-ACK timer). So the socket sets TCP_NODELAY and re-arms TCP_QUICKACK
// (which the kernel clears again by itself) before every read, and each reply leaves in a
// single write.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse::card {

struct VpcdEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 35963;

  std::string toString() const { return host + ":" + std::to_string(port); }
};

class VpcdLink {
 public:
  static Result<std::unique_ptr<VpcdLink>> connect(const VpcdEndpoint& endpoint);
  // Takes over a connected socket (tests).
  explicit VpcdLink(int fd);
  ~VpcdLink();
  VpcdLink(const VpcdLink&) = delete;
  VpcdLink& operator=(const VpcdLink&) = delete;

  // Waits for the next message. Returns kTimeout when `wakeFd` (if >= 0) becomes readable
  // first, kCardRemoved when vpcd closed the connection, kProtocol/kIo otherwise.
  Result<Bytes> readMessage(int wakeFd);
  Status writeMessage(ByteView payload);
  int fd() const { return fd_; }

 private:
  Status readExactly(std::uint8_t* out, std::size_t n);
  int fd_;
};

}  // namespace epurse::card
