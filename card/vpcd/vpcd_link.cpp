#include "card/vpcd/vpcd_link.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/byte_codec.h"
#include "card/vpcd/vpcd_protocol.h"

namespace epurse::card {
namespace {

void setLowLatency(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

Result<std::unique_ptr<VpcdLink>> VpcdLink::connect(const VpcdEndpoint& endpoint) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return makeError(ErrorCode::kIo, "cannot resolve vpcd host '" + endpoint.host + "': " + gai_strerror(rc));
  }
  int lastErr = 0;
  for (addrinfo* a = res; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      lastErr = errno;
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ::freeaddrinfo(res);
      return std::make_unique<VpcdLink>(fd);
    }
    lastErr = errno;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return makeError(ErrorCode::kIo, "cannot connect to vpcd at " + endpoint.toString() + ": " + std::strerror(lastErr));
}

VpcdLink::VpcdLink(int fd) : fd_(fd) { setLowLatency(fd_); }

VpcdLink::~VpcdLink() { ::close(fd_); }

Status VpcdLink::readExactly(std::uint8_t* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    const ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r == 0) {
      return makeError(got == 0 ? ErrorCode::kCardRemoved : ErrorCode::kProtocol,
                       got == 0 ? "vpcd closed the connection" : "vpcd closed the connection mid-message");
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kIo, std::string("reading from vpcd: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(r);
  }
  return Status::ok();
}

Result<Bytes> VpcdLink::readMessage(int wakeFd) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wakeFd, POLLIN, 0}};
  const nfds_t count = wakeFd >= 0 ? 2 : 1;
  for (;;) {
    const int rc = ::poll(fds, count, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
    }
    if (count == 2 && (fds[1].revents & POLLIN)) return makeError(ErrorCode::kTimeout, "woken up");
    if (fds[0].revents) break;
  }
  std::uint8_t len[vpcd::kLengthSize];
  if (Status s = readExactly(len, sizeof len); !s) return s.error();
  Bytes payload(ByteReader(len).u16());
  if (!payload.empty()) {
    if (Status s = readExactly(payload.data(), payload.size()); !s) {
      return s.error().code == ErrorCode::kCardRemoved
                 ? makeError(ErrorCode::kProtocol, "vpcd closed the connection mid-message")
                 : s.error();
    }
  }
  return payload;
}

Status VpcdLink::writeMessage(ByteView payload) {
  if (payload.size() > 0xFFFF) return makeError(ErrorCode::kInvalidArgument, "vpcd message over 65535 bytes");
  ByteWriter writer;
  writer.reserve(vpcd::kLengthSize + payload.size()).u16(static_cast<std::uint16_t>(payload.size())).bytes(payload);
  const Bytes& frame = writer.view();
  std::size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kIo, std::string("writing to vpcd: ") + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

}  // namespace epurse::card
